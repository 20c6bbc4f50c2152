namespace Kvm.Driver.Domains;

/// <summary>
/// One disk of a domain as libvirt's block stats report it (virConnectGetAllDomainStats' block group): its target and
/// source, and, while the domain runs, the VMM's counters (times in nanoseconds) and sizes in bytes.
/// </summary>
public sealed record DomainBlockStats(string Name, string? Path)
{
    public bool HasCounters { get; init; }
    public ulong ReadRequests { get; init; }
    public ulong ReadBytes { get; init; }
    public ulong ReadTimeNs { get; init; }
    public ulong WriteRequests { get; init; }
    public ulong WriteBytes { get; init; }
    public ulong WriteTimeNs { get; init; }
    public ulong FlushRequests { get; init; }
    public ulong FlushTimeNs { get; init; }

    /// <summary>The highest offset written (libvirt's allocation for a running domain).</summary>
    public ulong? Allocation { get; init; }

    /// <summary>The disk's size as the guest sees it.</summary>
    public ulong? Capacity { get; init; }

    /// <summary>The image file's size on the host.</summary>
    public ulong? Physical { get; init; }
}
