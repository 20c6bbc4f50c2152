using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>Block I/O tuning (<c>&lt;blkiotune&gt;&lt;device&gt;</c>) names each host device once (virDomainDefTunablesValidate).</summary>
internal sealed class BlkiotuneRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Blkiotune];

    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var device in domain.Element(XmlNames.Blkiotune)?.Elements(XmlNames.Device) ?? [])
        {
            if (device.Element(XmlNames.Path)?.Text().Trim() is { Length: > 0 } path && !paths.Add(path))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"duplicate blkio device path '{path}'", device.Element(XmlNames.Path));
            }
        }
    }
}
