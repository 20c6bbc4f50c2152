namespace Kvm.DomainXml.Model;

public enum VcpuPlacement
{
    Static,
    Auto,
}

/// <summary><c>&lt;vcpu placement cpuset current&gt;N&lt;/vcpu&gt;</c>.</summary>
public sealed record VcpuDef(uint Maximum, uint Current, VcpuPlacement Placement, string? Cpuset);
