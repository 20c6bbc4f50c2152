using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Block;

/// <summary>
/// One image of an opened disk's chain as QMP query-block describes it: file, format, virtual size, the space the file
/// takes, qcow2's cluster size, and the image below it.
/// </summary>
public sealed record BlockImageInfo(
    string Path, ImageFormat Format, ulong VirtualSize, long? AllocatedBytes, int? ClusterSize, bool IsBlockDevice, BlockImageInfo? Backing)
{
    /// <summary>The number of images below this one.</summary>
    public int Depth => Backing is null ? 0 : 1 + Backing.Depth;

    /// <summary>Describes an opened backend and its backing chain (the space taken is read now); null for a backend of another kind.</summary>
    public static BlockImageInfo? Of(IBlockBackend backend) => backend switch
    {
        RawBackend raw => new(raw.File.Path, ImageFormat.Raw, raw.Size, Stat.AllocatedBytes(raw.File.Path), null, raw.File.Status.IsBlockDevice, null),
        Qcow2Image qcow2 => new(qcow2.Path, ImageFormat.Qcow2, qcow2.Size, Stat.AllocatedBytes(qcow2.Path), qcow2.ClusterSize,
            qcow2.File.Status.IsBlockDevice, qcow2.Backing is { } backing ? Of(backing) : null),
        _ => null,
    };
}
