namespace Kvm.DomainXml.Model;

/// <summary>The element a character device appears as.</summary>
public enum ChardevKind
{
    Serial,
    Parallel,
    Console,
    Channel,
}

/// <summary>A character device: serial, parallel, console or channel, with its host-side source.</summary>
public sealed record ChardevDef(ChardevKind Kind, ChardevSource Source, string? TargetType, int? TargetPort);

/// <summary>The host side of a character device (libvirt's virDomainChrSourceDef).</summary>
public sealed record ChardevSource
{
    /// <summary>null, vc, pty, dev, file, pipe, stdio, udp, tcp, unix, spicevmc, ...</summary>
    public required string Type { get; init; }

    /// <summary>The path of a pty, dev, file, pipe or unix source.</summary>
    public string? Path { get; init; }

    /// <summary>True when the source listens (mode='bind') for tcp and unix sources.</summary>
    public bool Listen { get; init; }

    public string? Host { get; init; }

    public string? Service { get; init; }

    /// <summary>The bind side of a udp source.</summary>
    public string? BindHost { get; init; }

    public string? BindService { get; init; }

    /// <summary>raw, telnet, telnets, tls (tcp only).</summary>
    public string? Protocol { get; init; }
}
