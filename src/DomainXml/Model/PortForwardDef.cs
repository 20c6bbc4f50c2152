namespace Kvm.DomainXml.Model;

/// <summary>
/// <c>&lt;portForward proto address dev&gt;</c> of a user-mode interface with the passt backend: host ports of
/// <see cref="Proto"/> (tcp or udp), bound to <see cref="Address"/> and <see cref="Dev"/> when given, forwarded to
/// the guest; no ranges forwards them all.
/// </summary>
public sealed record PortForwardDef
{
    /// <summary>'tcp' or 'udp'.</summary>
    public required string Proto { get; init; }

    /// <summary>The host address the forwarded ports are bound to, as written (IPv4 or IPv6); null: all.</summary>
    public string? Address { get; init; }

    /// <summary>The host interface the forwarded ports are bound to; null: any.</summary>
    public string? Dev { get; init; }

    public IReadOnlyList<PortForwardRangeDef> Ranges { get; init; } = [];
}
