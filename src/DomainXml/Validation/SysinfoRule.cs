using System.Globalization;
using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// <c>&lt;sysinfo&gt;</c>: the SMBIOS BIOS date is a calendar date (mm/dd/yy or mm/dd/yyyy from 1900), the SMBIOS
/// system UUID is the domain's, and fw_cfg entries live under "opt/" outside the names the firmware reserves
/// (virSysinfoBIOSParseXML, virSysinfoSystemParseXML, qemuValidateDomainDefSysinfo).
/// </summary>
internal sealed class SysinfoRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Sysinfo];

    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var definition = context.Definition;
        foreach (var sysinfo in domain.Elements(XmlNames.Sysinfo))
        {
            if (sysinfo.Attr(XmlNames.Type) == "fwcfg")
            {
                CheckFwCfg(sysinfo);
                continue;
            }

            foreach (var date in sysinfo.Elements(XmlNames.Bios).SelectMany(Entries("date")))
            {
                if (!IsDate(date.Text()))
                {
                    // libvirt reports these as VIR_ERR_XML_DETAIL, whose message has no category prefix.
                    ThrowHelper.Throw(DomainXmlErrorKind.Detail, "Invalid BIOS 'date' format", date);
                }
            }

            foreach (var uuid in sysinfo.Elements(XmlNames.System).SelectMany(Entries("uuid")))
            {
                if (!GeneralXml.TryParseUuid(uuid.Text(), out Guid value))
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.Detail, "malformed <sysinfo> uuid element", uuid);
                }

                if (value != definition.Uuid)
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.Detail, "UUID mismatch between <uuid> and <sysinfo>", uuid);
                }
            }
        }
    }

    private static Func<XElement, IEnumerable<XElement>> Entries(string name) =>
        group => group.Elements(XmlNames.Entry).Where(e => e.Attr(XmlNames.Name) == name).Take(1);

    /// <summary>mm/dd/yy (taken as 19yy) or mm/dd/yyyy with a year from 1900.</summary>
    private static bool IsDate(string text)
    {
        string[] parts = text.Split('/');
        const NumberStyles Style = NumberStyles.AllowLeadingWhite | NumberStyles.AllowLeadingSign;
        return parts.Length == 3
            && int.TryParse(parts[0], Style, CultureInfo.InvariantCulture, out int month) && month is >= 1 and <= 12
            && int.TryParse(parts[1], Style, CultureInfo.InvariantCulture, out int day) && day is >= 1 and <= 31
            && int.TryParse(parts[2], Style, CultureInfo.InvariantCulture, out int year) && year >= 0 && year is < 100 or >= 1900;
    }

    private static void CheckFwCfg(XElement sysinfo)
    {
        foreach (var entry in sysinfo.Elements(XmlNames.Entry))
        {
            string name = entry.Attr(XmlNames.Name) ?? string.Empty;
            if (!name.StartsWith("opt/", StringComparison.Ordinal))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Invalid firmware name", entry, "name");
            }

            if (name.StartsWith("opt/ovmf/", StringComparison.Ordinal) || name.StartsWith("opt/org.qemu/", StringComparison.Ordinal))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "That firmware name is reserved", entry, "name");
            }
        }
    }
}
