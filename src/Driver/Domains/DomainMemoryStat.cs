namespace Kvm.Driver.Domains;

/// <summary>One figure of virDomainMemoryStats: its tag (virDomainMemoryStatTags) and value (KiB, or a count, or seconds).</summary>
public readonly record struct DomainMemoryStat(int Tag, ulong Value)
{
    // virDomainMemoryStatTags.
    public const int SwapIn = 0, SwapOut = 1, MajorFault = 2, MinorFault = 3, Unused = 4, Available = 5, ActualBalloon = 6, Rss = 7,
        Usable = 8, LastUpdate = 9, DiskCaches = 10, HugetlbPgalloc = 11, HugetlbPgfail = 12;

    /// <summary>The most tags libvirt knows (VIR_DOMAIN_MEMORY_STAT_NR).</summary>
    public const int Count = 13;
}
