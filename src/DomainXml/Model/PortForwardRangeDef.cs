namespace Kvm.DomainXml.Model;

/// <summary>
/// <c>&lt;range start end to exclude&gt;</c> of a <c>&lt;portForward&gt;</c>: host ports <see cref="Start"/> (to
/// <see cref="End"/>), forwarded to the guest's port <see cref="To"/> onwards when given, else to the same ports;
/// <see cref="Exclude"/> leaves them out instead. Ports are non-zero; null means absent.
/// </summary>
public sealed record PortForwardRangeDef
{
    public uint? Start { get; init; }

    public uint? End { get; init; }

    public uint? To { get; init; }

    /// <summary><c>exclude='yes'|'no'</c>; null when absent.</summary>
    public bool? Exclude { get; init; }
}
