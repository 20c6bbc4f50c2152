namespace Kvm.DomainXml.Reading;

/// <summary>Bounds on untrusted input, checked while reading so memory stays bounded.</summary>
public sealed record DomainXmlLimits
{
    /// <summary>libvirt reads at most 10 MiB of XML for a definition.</summary>
    public const int DefaultMaxCharacters = 10 * 1024 * 1024;

    /// <summary>libxml2's own default nesting limit.</summary>
    public const int DefaultMaxDepth = 256;

    public static DomainXmlLimits Default { get; } = new();

    public int MaxCharacters { get; init; } = DefaultMaxCharacters;

    public int MaxDepth { get; init; } = DefaultMaxDepth;
}
