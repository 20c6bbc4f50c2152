using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>Block I/O tuning (<c>&lt;blkiotune&gt;&lt;device&gt;</c>) names each host device once (virDomainDefTunablesValidate).</summary>
internal sealed class BlkiotuneRule : IDomainRule
{
    public void Check(XElement domain, DomainDef definition)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var device in domain.Element("blkiotune")?.Elements("device") ?? [])
        {
            if (device.Element("path")?.Text().Trim() is { Length: > 0 } path && !paths.Add(path))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"duplicate blkio device path '{path}'", device.Element("path"));
            }
        }
    }
}
