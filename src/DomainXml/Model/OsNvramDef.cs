namespace Kvm.DomainXml.Model;

/// <summary><c>&lt;os&gt;&lt;nvram template type&gt;PATH&lt;/nvram&gt;</c>: the firmware's variable store.</summary>
public sealed record OsNvramDef
{
    /// <summary>The store's file, for a store given by path (no <c>type</c>); null when the element is empty.</summary>
    public string? Path { get; init; }

    /// <summary>The file the store is created from when it does not exist.</summary>
    public string? Template { get; init; }

    /// <summary>The storage type of a store given by <c>&lt;source&gt;</c> (file, block, network, ...); null for a path.</summary>
    public string? Type { get; init; }
}
