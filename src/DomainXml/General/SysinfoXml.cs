using System.Xml.Linq;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.General;

/// <summary>
/// <c>&lt;sysinfo&gt;</c>: the fw_cfg entries of <c>type='fwcfg'</c> (libvirt's formatdomain, since 6.5.0): the name,
/// and the text or the <c>file</c> attribute; names are checked by the validator (opt/, not reserved). And the first
/// <c>type='smbios'</c> block set (virSysinfoParseSMBIOSDef): entries by name, the first of a name, empty ones left out.
/// </summary>
internal static class SysinfoXml
{
    public static List<FwCfgEntryDef> ParseFwCfg(XElement root) =>
        [.. root.Elements(XmlNames.Sysinfo)
            .Where(s => s.Attr(XmlNames.Type) == "fwcfg")
            .SelectMany(s => s.Elements(XmlNames.Entry))
            .Select(e => new FwCfgEntryDef(e.Attr(XmlNames.Name) ?? string.Empty, e.Attr(XmlNames.File) is null ? e.Text() : null, e.Attr(XmlNames.File)))];

    /// <summary>The first <c>&lt;sysinfo type='smbios'&gt;</c>, or null when the domain has none.</summary>
    public static SmbiosSysinfoDef? ParseSmbios(XElement root)
    {
        if (root.Elements(XmlNames.Sysinfo).FirstOrDefault(s => s.Attr(XmlNames.Type) == "smbios") is not { } sysinfo)
        {
            return null;
        }

        return new SmbiosSysinfoDef
        {
            Bios = Entries(sysinfo.Element(XmlNames.Bios)),
            System = Entries(sysinfo.Element(XmlNames.System)),
            BaseBoards = [.. sysinfo.Elements(XmlNames.BaseBoard).Select(Entries)],
            Chassis = Entries(sysinfo.Element(XmlNames.Chassis)),
            OemStrings = [.. sysinfo.Element(XmlNames.OemStrings)?.Elements(XmlNames.Entry).Select(e => e.Text()) ?? []],
        };
    }

    private static Dictionary<string, string> Entries(XElement? block)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in block?.Elements(XmlNames.Entry) ?? [])
        {
            if (entry.Attr(XmlNames.Name) is { } name && entry.Text() is { Length: > 0 } text)
            {
                entries.TryAdd(name, text);
            }
        }

        return entries;
    }
}
