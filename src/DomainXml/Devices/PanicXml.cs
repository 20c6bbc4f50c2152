using System.Xml.Linq;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;panic model&gt;</c> (virDomainPanicDefParseXML); <c>model='default'</c> is the same as none given.</summary>
internal static class PanicXml
{
    internal static readonly XmlEnum<PanicModel> s_model = new(
        (PanicModel.Default, "default"),
        (PanicModel.Isa, "isa"),
        (PanicModel.Pseries, "pseries"),
        (PanicModel.Hyperv, "hyperv"),
        (PanicModel.S390, "s390"),
        (PanicModel.Pvpanic, "pvpanic"));

    public static PanicDef Parse(XElement panic) => new(panic.EnumNamed("model", s_model, "panic model") ?? PanicModel.Default);
}
