using System.Xml.Linq;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.General;

/// <summary>
/// The fw_cfg entries of <c>&lt;sysinfo type='fwcfg'&gt;</c> (libvirt's formatdomain, since 6.5.0): the name, and
/// the text or the <c>file</c> attribute. Names are checked by the validator (opt/, not reserved).
/// </summary>
internal static class SysinfoXml
{
    public static List<FwCfgEntryDef> ParseFwCfg(XElement root) =>
        [.. root.Elements(XmlNames.Sysinfo)
            .Where(s => s.Attr(XmlNames.Type) == "fwcfg")
            .SelectMany(s => s.Elements(XmlNames.Entry))
            .Select(e => new FwCfgEntryDef(e.Attr(XmlNames.Name) ?? string.Empty, e.Attr(XmlNames.File) is null ? e.Text() : null, e.Attr(XmlNames.File)))];
}
