using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Security labels (<c>&lt;seclabel&gt;</c>): at most one per security model, on the domain and on each device; with
/// several domain labels each names its model; a dynamic label relabels resources and a 'none' label does not; a
/// static label carries the label itself; a device may override a model's label
/// only where the domain relabels for that model (virSecurityLabelDefsParseXML, virSecurityLabelDefParseXML,
/// virSecurityDeviceLabelDefParseXML, virSecurityDeviceLabelDefValidate).
/// </summary>
internal sealed class SeclabelRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Seclabel];

    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var labels = domain.Elements(XmlNames.Seclabel).ToList();
        var seen = new List<string?>();
        foreach (var label in labels)
        {
            CheckDomainLabel(label);
            string? model = label.Attr(XmlNames.Model);
            if (seen.Contains(model))
            {
                // libvirt reports this as VIR_ERR_XML_DETAIL, whose message has no category prefix.
                ThrowHelper.Throw(DomainXmlErrorKind.Detail, $"seclabel for model {model ?? "(null)"} is already provided", label, "model");
            }

            seen.Add(model);
        }

        if (labels.Count > 1 && labels.FirstOrDefault(l => l.Attr(XmlNames.Model) is null) is { } unnamed)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "missing security model when using multiple labels", unnamed);
        }

        foreach (var owner in (context.Devices?.Descendants(XmlNames.Seclabel) ?? []).Select(s => s.Parent!).Distinct())
        {
            CheckDeviceLabels(owner, labels);
        }
    }

    private static void CheckDomainLabel(XElement label)
    {
        string type = label.Attr(XmlNames.Type) ?? "dynamic";
        bool relabel = label.YesNo(XmlNames.Relabel) ?? type == "dynamic";
        if (type == "dynamic" && !relabel)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "dynamic label type must use resource relabeling", label, "relabel");
        }

        if (type == "none" && relabel)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "resource relabeling is not compatible with 'none' label type",
                label, "relabel");
        }

        if (label.Attr(XmlNames.Model) == "none")
        {
            return;
        }

        if (type == "static" && string.IsNullOrEmpty(label.Element(XmlNames.Label)?.Text()))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "security label is missing", label);
        }
    }

    private static void CheckDeviceLabels(XElement owner, List<XElement> domainLabels)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var label in owner.Elements(XmlNames.Seclabel))
        {
            if (label.Attr(XmlNames.Model) is not { } model)
            {
                continue;
            }

            if (!seen.Add(model))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.Detail, $"seclabel for model {model} is already provided", label, "model");
            }

            foreach (var domainLabel in domainLabels.Where(l => l.Attr(XmlNames.Model) == model))
            {
                string type = domainLabel.Attr(XmlNames.Type) ?? "dynamic";
                if (!(domainLabel.YesNo(XmlNames.Relabel) ?? type == "dynamic"))
                {
                    ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                        "label overrides require relabeling to be enabled at the domain level", label);
                }
            }
        }
    }
}
