namespace Kvm.DomainXml.Model;

public enum TpmModel
{
    TpmTis,
    TpmCrb,
    TpmSpapr,
    SpaprTpmProxy,
}

public enum TpmBackendType
{
    /// <summary>The host's TPM.</summary>
    Passthrough,

    /// <summary>A software TPM (swtpm) the hypervisor starts.</summary>
    Emulator,

    /// <summary>A software TPM started by someone else, behind a socket.</summary>
    External,
}

public enum TpmVersion
{
    /// <summary>TPM 1.2.</summary>
    Version12,

    /// <summary>TPM 2.0.</summary>
    Version20,
}

/// <summary><c>&lt;tpm model&gt;&lt;backend type version&gt;</c>: exactly one backend.</summary>
public sealed record TpmDef
{
    /// <summary>null when not given (the hypervisor's default for the platform).</summary>
    public TpmModel? Model { get; init; }

    public required TpmBackendType Backend { get; init; }

    /// <summary>The TPM version of an emulator backend.</summary>
    public TpmVersion? Version { get; init; }

    /// <summary>
    /// The host device of a passthrough backend (<c>/dev/tpm0</c> when not given, as in libvirt), or the socket of an
    /// external one.
    /// </summary>
    public string? Path { get; init; }

    /// <summary>Whether an emulator's state survives undefining the domain.</summary>
    public bool? PersistentState { get; init; }
}
