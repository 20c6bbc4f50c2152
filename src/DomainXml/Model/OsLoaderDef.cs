namespace Kvm.DomainXml.Model;

/// <summary>How the firmware image is mapped (<c>&lt;loader type&gt;</c>).</summary>
public enum LoaderType
{
    Rom,
    Pflash,
}

/// <summary><c>&lt;os&gt;&lt;loader readonly type secure stateless&gt;PATH&lt;/loader&gt;</c>.</summary>
public sealed record OsLoaderDef
{
    /// <summary>The firmware image; null when the element is empty (firmware autoselection fills it in).</summary>
    public string? Path { get; init; }

    public bool? ReadOnly { get; init; }

    public LoaderType? Type { get; init; }

    /// <summary>Whether the firmware enforces secure boot (needs SMM).</summary>
    public bool? Secure { get; init; }

    /// <summary>Whether the firmware runs without an NVRAM store.</summary>
    public bool? Stateless { get; init; }
}
