using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;

namespace Kvm.DomainXml.Validation;

/// <summary>A video device of type 'none' (no display adapter at all) is the only video device (virDomainVideoDefValidate).</summary>
internal sealed class VideoRule : IDomainRule
{
    public void Check(XElement domain, DomainDef definition)
    {
        if (definition.Devices.Videos.Count < 2 || domain.Element("devices") is not { } devices)
        {
            return;
        }

        foreach (var video in devices.Elements("video"))
        {
            if (video.Element("model")?.Attribute("type")?.Value == "none")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    "a 'none' video type must be the only video device defined for the domain", video);
            }
        }
    }
}
