namespace Kvm.DomainXml.Model;

public enum FilesystemType
{
    Mount,
    Block,
    File,
    Template,
    Ram,
    Bind,
    Volume,
}

/// <summary>How guest accesses map to host file ownership (9p).</summary>
public enum FilesystemAccessMode
{
    Passthrough,
    Mapped,
    Squash,
}

public enum FilesystemDriverType
{
    Default,
    Path,
    Handle,
    Loop,
    Nbd,
    Ploop,
    Virtiofs,
    Mtp,
}

public enum FilesystemModel
{
    Virtio,
    VirtioTransitional,
    VirtioNonTransitional,
}

/// <summary><c>&lt;filesystem type accessmode model&gt;</c> with its driver, source and target.</summary>
public sealed record FilesystemDef
{
    /// <summary>mount when not given.</summary>
    public FilesystemType Type { get; init; } = FilesystemType.Mount;

    public FilesystemAccessMode? AccessMode { get; init; }

    public FilesystemModel? Model { get; init; }

    public FilesystemDriverType DriverType { get; init; } = FilesystemDriverType.Default;

    /// <summary>The host side: the directory (mount, bind), file, block device or template name, by type.</summary>
    public string? Source { get; init; }

    /// <summary>The socket of an externally started virtiofsd (<c>source/@socket</c>).</summary>
    public string? SourceSocket { get; init; }

    /// <summary>The guest side: the mount tag or directory (<c>target/@dir</c>).</summary>
    public string? TargetDir { get; init; }

    public bool ReadOnly { get; init; }
}
