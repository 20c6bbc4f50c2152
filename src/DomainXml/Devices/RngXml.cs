using System.Xml.Linq;
using Kvm.DomainXml.Devices.Chardev;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;rng&gt;</c>: model, rate and its one backend (virDomainRNGDefParseXML).</summary>
internal static class RngXml
{
    internal static readonly XmlEnum<RngModel> s_model = new(
        (RngModel.Virtio, "virtio"),
        (RngModel.VirtioTransitional, "virtio-transitional"),
        (RngModel.VirtioNonTransitional, "virtio-non-transitional"));

    internal static readonly XmlEnum<RngBackendModel> s_backend = new(
        (RngBackendModel.Random, "random"),
        (RngBackendModel.Egd, "egd"),
        (RngBackendModel.Builtin, "builtin"));

    /// <summary>Parses the device; the chardev of an egd backend is read by <see cref="ChardevSourceXml"/>.</summary>
    public static RngDef Parse(XElement rng, DomainParseFlags flags)
    {
        if (rng.Attr(XmlNames.Model) is null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "missing RNG device model", rng);
        }

        var model = rng.EnumNamed("model", s_model, "RNG model")!.Value;
        var rate = rng.Element(XmlNames.Rate);
        uint? bytes = ReadRate(rate, "bytes");
        uint? period = bytes > 0 ? ReadRate(rate, "period") : null;

        var backends = rng.Elements(XmlNames.Backend).ToList();
        if (backends.Count != 1)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "only one RNG backend is supported", backends.Count > 1 ? backends[1] : rng);
        }

        var backend = backends[0];
        if (backend.Attr(XmlNames.Model) is null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "missing RNG device backend model", backend);
        }

        var backendModel = backend.EnumNamed("model", s_backend, "RNG backend model")!.Value;
        var result = new RngDef { Model = model, Backend = backendModel, RateBytes = bytes, RatePeriod = period, PciAddress = DeviceAddressXml.Pci(rng) };
        switch (backendModel)
        {
            case RngBackendModel.Random:
                string path = backend.Text();
                return result with { SourcePath = path.Length == 0 ? null : path };
            case RngBackendModel.Egd:
                if (backend.Attr(XmlNames.Type) is not { } type)
                {
                    return ThrowHelper.Throw<RngDef>(DomainXmlErrorKind.XmlError, "missing EGD backend type", backend);
                }

                if (!ChardevTypes.IsKnown(type))
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unknown backend type '{type}' for egd", backend, "type");
                }

                return result with { SourceChardev = ChardevSourceXml.Parse(backend, "type", flags) };
            case RngBackendModel.Builtin:
                return result;
        }

        return result;
    }

    /// <summary>A rate attribute: absent or unparsable reads as not given only when absent (virXPathUInt).</summary>
    private static uint? ReadRate(XElement? rate, string name)
    {
        if (rate?.Attr(name) is not { } text)
        {
            return null;
        }

        if (!uint.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out uint value))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"invalid RNG rate {name} value", rate, name);
        }

        return value;
    }
}
