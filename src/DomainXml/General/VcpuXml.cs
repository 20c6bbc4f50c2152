using System.Globalization;
using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.General;

/// <summary><c>&lt;vcpu placement cpuset current&gt;N&lt;/vcpu&gt;</c>.</summary>
internal static class VcpuXml
{
    internal static readonly XmlEnum<VcpuPlacement> s_placement = new(
        (VcpuPlacement.Static, "static"),
        (VcpuPlacement.Auto, "auto"));

    public static VcpuDef Parse(XElement domain)
    {
        var vcpu = domain.Element(XmlNames.Vcpu);
        if (vcpu is null)
        {
            return new VcpuDef(1, 1, VcpuPlacement.Static, null);
        }

        string text = vcpu.Text().Trim();
        if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint max))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "maximum vcpus count must be an integer", vcpu);
        }

        uint current = vcpu.UInt(XmlNames.Current) ?? max;
        var placement = vcpu.Enum(XmlNames.Placement, s_placement);
        string? cpuset = vcpu.Attr(XmlNames.Cpuset);
        if (cpuset is not null)
        {
            cpuset = CpuSet.Normalize(cpuset, vcpu, "cpuset");
        }

        // A cpuset implies static placement; otherwise numatune may ask for automatic placement.
        var numaPlacement = domain.Element(XmlNames.Numatune)?.Element(XmlNames.Memory)?.Attr(XmlNames.Placement);
        var resolved = placement ?? (cpuset is null && numaPlacement == "auto" ? VcpuPlacement.Auto : VcpuPlacement.Static);
        return new VcpuDef(max, current, resolved, resolved == VcpuPlacement.Auto ? null : cpuset);
    }

    public static void Validate(VcpuDef vcpu, XElement domain)
    {
        if (vcpu.Maximum == 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Domain requires at least 1 vCPU", domain.Element(XmlNames.Vcpu));
        }

        if (vcpu.Current > vcpu.Maximum)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "maxvcpus must not be less than current vcpus", domain.Element(XmlNames.Vcpu));
        }
    }

    public static void Format(VcpuDef vcpu, XElement domain)
    {
        var element = GeneralXml.SetChildText(domain, "vcpu", vcpu.Maximum.ToString(CultureInfo.InvariantCulture));
        element.Set(XmlNames.Placement, s_placement.ToXml(vcpu.Placement));
        element.Set(XmlNames.Cpuset, vcpu.Cpuset);
        element.Set(XmlNames.Current, vcpu.Current == vcpu.Maximum ? null : vcpu.Current.ToString(CultureInfo.InvariantCulture));
    }
}
