using System.Diagnostics.CodeAnalysis;
using System.Xml.Linq;

namespace Kvm.DomainXml.Errors;

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void Throw(DomainXmlErrorKind kind, string detail, XElement? at = null, string? attribute = null) =>
        throw new DomainXmlException(kind, detail, at is null ? null : SourceLocation.Of(at, attribute));

    [DoesNotReturn]
    public static T Throw<T>(DomainXmlErrorKind kind, string detail, XElement? at = null, string? attribute = null) =>
        throw new DomainXmlException(kind, detail, at is null ? null : SourceLocation.Of(at, attribute));
}
