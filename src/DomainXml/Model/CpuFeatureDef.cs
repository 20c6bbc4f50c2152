namespace Kvm.DomainXml.Model;

public enum CpuFeaturePolicy
{
    Force,
    Require,
    Optional,
    Disable,
    Forbid,
}

/// <summary><c>&lt;cpu&gt;&lt;feature name policy&gt;</c>; the policy is require when not given.</summary>
public sealed record CpuFeatureDef(string Name, CpuFeaturePolicy Policy);
