using System.Runtime.InteropServices;

namespace Kvm.Vmm.Net;

/// <summary>
/// Where a virtio-net device's frames go and come from: each frame preceded by a 12-byte virtio_net_hdr (the tap's
/// IFF_VNET_HDR layout with VERSION_1). Called from the device's thread only; never blocks and never throws.
/// </summary>
public interface INetBackend : IDisposable
{
    /// <summary>The host-side name (the tap's interface name), for logs and QMP.</summary>
    string Name { get; }

    /// <summary>A descriptor that polls readable (POLLIN) when a frame is waiting to be read.</summary>
    SafeHandle ReadHandle { get; }

    /// <summary>The offloads <see cref="TrySetOffloads"/> can turn on (none: frames are always whole and checksummed).</summary>
    NetOffloads SupportedOffloads { get; }

    /// <summary>Which offloads frames to the guest may carry from now on (what the guest's driver accepted); false when refused.</summary>
    bool TrySetOffloads(NetOffloads offloads);

    /// <summary>Reads one header and frame into <paramref name="frame"/>: its length, 0 when none is waiting, or a negative errno.</summary>
    int Read(Span<byte> frame);

    /// <summary>Writes one header and frame: its length, or a negative errno (the frame is then lost).</summary>
    int Write(ReadOnlySpan<byte> frame);
}
