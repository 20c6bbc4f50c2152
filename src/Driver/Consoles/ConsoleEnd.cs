namespace Kvm.Driver.Consoles;

/// <summary>Why a console session ended on its own (not by its owner's dispose).</summary>
public enum ConsoleEnd
{
    /// <summary>The pty hung up: the VMM closed its end (the domain stopped).</summary>
    Hangup,

    /// <summary>Another client opened the same console with VIR_DOMAIN_CONSOLE_FORCE and took it over.</summary>
    Evicted,
}
