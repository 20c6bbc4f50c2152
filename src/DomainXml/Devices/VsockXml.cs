using System.Xml.Linq;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;vsock model&gt;&lt;cid auto address/&gt;</c> (virDomainVsockDefParseXML).</summary>
internal static class VsockXml
{
    internal static readonly XmlEnum<VsockModel> s_model = new(
        (VsockModel.Default, "default"),
        (VsockModel.Virtio, "virtio"),
        (VsockModel.VirtioTransitional, "virtio-transitional"),
        (VsockModel.VirtioNonTransitional, "virtio-non-transitional"));

    public static VsockDef Parse(XElement vsock)
    {
        var cid = vsock.Element(XmlNames.Cid);
        return new VsockDef
        {
            Model = vsock.Enum(XmlNames.Model, s_model) ?? VsockModel.Default,
            Cid = cid?.NonZeroUInt("address"),
            AutoCid = cid?.YesNo(XmlNames.Auto),
        };
    }
}
