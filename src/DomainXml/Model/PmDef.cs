namespace Kvm.DomainXml.Model;

/// <summary><c>&lt;pm&gt;</c>: whether the guest may suspend to RAM (S3) or disk (S4); null leaves it to the hypervisor.</summary>
public sealed record PmDef(bool? SuspendToMem, bool? SuspendToDisk)
{
    /// <summary>No <c>&lt;pm&gt;</c> element.</summary>
    public static PmDef Default { get; } = new(null, null);
}
