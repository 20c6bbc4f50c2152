namespace Kvm.Qmp.Commands;

/// <summary>
/// A machine with disks. The block commands ask the <see cref="IQmpMachine"/> for this interface; a machine without it
/// (QEMU's -machine none) has no disks: query-block and query-blockstats answer [], block_resize finds nothing.
/// </summary>
public interface IQmpBlockMachine
{
    /// <summary>query-block: every disk's backend, in the order the disks were created.</summary>
    IReadOnlyList<QmpBlockInfo> QueryBlock();

    /// <summary>query-blockstats: per backend with its nodes nested, or (<paramref name="queryNodes"/>) per named node.</summary>
    IReadOnlyList<QmpBlockStats> QueryBlockstats(bool queryNodes);

    /// <summary>
    /// block_resize: resizes the disk named by <paramref name="device"/> or <paramref name="nodeName"/>. Throws
    /// <see cref="QmpException"/> with QEMU's messages (<see cref="QmpBlockErrors"/>).
    /// </summary>
    ValueTask BlockResizeAsync(string? device, string? nodeName, long size, CancellationToken cancellationToken);
}
