using System.Xml.Linq;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.General;

/// <summary><c>&lt;pm&gt;&lt;suspend-to-mem enabled/&gt;&lt;suspend-to-disk enabled/&gt;</c> (libvirt's virDomainPMStateParseXML).</summary>
internal static class PmXml
{
    public static PmDef Parse(XElement domain)
    {
        if (domain.Element(XmlNames.Pm) is not { } pm)
        {
            return PmDef.Default;
        }

        return new PmDef(pm.Element(XmlNames.SuspendToMem)?.YesNo(XmlNames.Enabled), pm.Element(XmlNames.SuspendToDisk)?.YesNo(XmlNames.Enabled));
    }
}
