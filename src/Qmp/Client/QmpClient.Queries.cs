using Kvm.Qmp.Commands;

namespace Kvm.Qmp.Client;

/// <summary>
/// Typed queries a client (kvmd) asks a VMM, deserialised into the records the server writes (source-generated
/// metadata, no reflection), so the two ends share one definition of each reply.
/// </summary>
public sealed partial class QmpClient
{
    /// <summary>query-status: the VM's run state.</summary>
    public Task<QmpStatusInfo> QueryStatusAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync("query-status", null, QmpJsonContext.Default.QmpStatusInfo, cancellationToken);

    /// <summary>query-chardev: the character devices and where they lead (a pty as <c>pty:/dev/pts/N</c>).</summary>
    public Task<IReadOnlyList<QmpChardevInfo>> QueryChardevAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync("query-chardev", null, QmpJsonContext.Default.IReadOnlyListQmpChardevInfo, cancellationToken);

    /// <summary>query-cpus-fast: one entry per vCPU with its host thread.</summary>
    public Task<IReadOnlyList<QmpCpuInfoFast>> QueryCpusFastAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync("query-cpus-fast", null, QmpJsonContext.Default.IReadOnlyListQmpCpuInfoFast, cancellationToken);

    /// <summary>query-block: the block backends, their devices (by qdev path) and the images inserted in them.</summary>
    public Task<IReadOnlyList<QmpBlockInfo>> QueryBlockAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync("query-block", null, QmpJsonContext.Default.IReadOnlyListQmpBlockInfo, cancellationToken);

    /// <summary>query-blockstats: each backend's I/O counters.</summary>
    public Task<IReadOnlyList<QmpBlockStats>> QueryBlockstatsAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync("query-blockstats", null, QmpJsonContext.Default.IReadOnlyListQmpBlockStats, cancellationToken);
}
