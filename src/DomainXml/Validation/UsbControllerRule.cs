using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// USB controllers: model='none' disables USB, so it stands alone and admits no hub; companion controllers need a
/// master (libvirt's virDomainDefControllersParse and the hub parsing of virDomainDefParseXML).
/// </summary>
internal sealed class UsbControllerRule : IDomainRule
{
    public void Check(XElement domain, DomainDef definition)
    {
        if (domain.Element("devices") is not { } devices)
        {
            return;
        }

        bool none = false, other = false, master = false;
        foreach (var controller in devices.Elements("controller").Where(c => c.Attr("type") == "usb"))
        {
            bool isNone = controller.Attr("model") == "none";
            if (none || (isNone && other))
            {
                // libvirt reports this as VIR_ERR_XML_DETAIL, whose message has no category prefix.
                ThrowHelper.Throw(DomainXmlErrorKind.Detail,
                    "Can't add another USB controller: USB is disabled for this domain", controller);
            }

            none |= isNone;
            other |= !isNone;
            master |= controller.Element("master") is null;
        }

        if (other && !master)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.Detail, "No master USB controller specified",
                devices.Elements("controller").First(c => c.Attr("type") == "usb"));
        }

        if (none && devices.Elements("hub").FirstOrDefault(h => h.Attr("type") == "usb") is { } hub)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Can't add USB hub: USB is disabled for this domain", hub);
        }
    }
}
