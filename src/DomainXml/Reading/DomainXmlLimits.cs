namespace Kvm.DomainXml.Reading;

/// <summary>Bounds on untrusted input, checked while reading so memory stays bounded.</summary>
public sealed record DomainXmlLimits
{
    /// <summary>libvirt reads at most 10 MiB of XML for a definition.</summary>
    public const int DefaultMaxCharacters = 10 * 1024 * 1024;

    /// <summary>libxml2's own default nesting limit.</summary>
    public const int DefaultMaxDepth = 256;

    /// <summary>
    /// Attributes on one element. libvirt's elements have at most a few dozen; the limit keeps a hostile element
    /// (half a million attributes) from costing more than reading it, and the tree's duplicate check small.
    /// </summary>
    public const int DefaultMaxAttributesPerElement = 1024;

    /// <summary>Elements in one document: far above any real definition, far below what makes validation slow.</summary>
    public const int DefaultMaxElements = 100_000;

    public static DomainXmlLimits Default { get; } = new();

    public int MaxCharacters { get; init; } = DefaultMaxCharacters;

    public int MaxDepth { get; init; } = DefaultMaxDepth;

    public int MaxAttributesPerElement { get; init; } = DefaultMaxAttributesPerElement;

    public int MaxElements { get; init; } = DefaultMaxElements;
}
