namespace Kvm.DomainXml.Errors;

/// <summary>A domain definition that cannot be accepted: libvirt's category and wording, plus where the problem is.</summary>
public sealed class DomainXmlException : Exception
{
    public DomainXmlException(DomainXmlErrorKind kind, string detail, SourceLocation? location = null, Exception? inner = null)
        : base(kind.Prefix() is { Length: > 0 } prefix ? prefix + ": " + detail : detail, inner)
    {
        Kind = kind;
        Detail = detail;
        Location = location;
    }

    public DomainXmlErrorKind Kind { get; }

    /// <summary>The message without libvirt's category prefix.</summary>
    public string Detail { get; }

    public SourceLocation? Location { get; }

    /// <summary>The message as a user sees it: location first, then libvirt's message.</summary>
    public string ToUserMessage() => Location is { } l ? $"{l}: {Message}" : Message;
}
