using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// USB controllers: model='none' disables USB, so it stands alone and admits no USB device (hub, input, host device,
/// redirected device); companion controllers need a master; an xHCI controller has at most 15 root ports (libvirt's
/// virDomainDefControllersParse, the USB checks of virDomainDefParseXML, virDomainRedirdevDefValidate and
/// qemuDomainControllerDefPostParse).
/// </summary>
internal sealed class UsbControllerRule : IDomainRule
{
    /// <summary>Root ports of QEMU's xHCI controllers (QEMU_USB_XHCI_MAXPORTS).</summary>
    private const uint XhciMaxPorts = 15;

    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var definition = context.Definition;
        if (context.Devices is not { } devices)
        {
            return;
        }

        bool none = false, other = false, master = false;
        foreach (var controller in devices.Elements(XmlNames.Controller).Where(c => c.Attr(XmlNames.Type) == "usb"))
        {
            bool isNone = controller.Attr(XmlNames.Model) == "none";
            if (none || (isNone && other))
            {
                // libvirt reports this as VIR_ERR_XML_DETAIL, whose message has no category prefix.
                ThrowHelper.Throw(DomainXmlErrorKind.Detail,
                    "Can't add another USB controller: USB is disabled for this domain", controller);
            }

            none |= isNone;
            other |= !isNone;
            master |= controller.Element(XmlNames.Master) is null;
        }

        if (other && !master)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.Detail, "No master USB controller specified",
                devices.Elements(XmlNames.Controller).First(c => c.Attr(XmlNames.Type) == "usb"));
        }

        if (none)
        {
            CheckNoUsbDevices(devices, definition);
        }

        foreach (var controller in devices.Elements(XmlNames.Controller).Where(c => c.Attr(XmlNames.Type) == "usb"))
        {
            if (controller.Attr(XmlNames.Model) is "nec-xhci" or "qemu-xhci" && controller.UInt(XmlNames.Ports) is > XhciMaxPorts)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"'{controller.Attr(XmlNames.Model)}' controller only supports up to '{XhciMaxPorts}' ports", controller, "ports");
            }
        }
    }

    private static void CheckNoUsbDevices(XElement devices, DomainDef definition)
    {
        var inputs = devices.Elements(XmlNames.Input).ToList();
        for (int i = 0; i < inputs.Count && i < definition.Devices.Inputs.Count; i++)
        {
            if (definition.Devices.Inputs[i].Bus == InputBus.Usb)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Can't add USB input device. USB bus is disabled", inputs[i]);
            }
        }

        if (devices.Elements(XmlNames.Hostdev).FirstOrDefault(h => (h.Attr(XmlNames.Mode) ?? "subsystem") == "subsystem" && h.Attr(XmlNames.Type) == "usb")
            is { } hostdev)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Can't add host USB device: USB is disabled in this host", hostdev);
        }

        if (devices.Elements(XmlNames.Hub).FirstOrDefault(h => h.Attr(XmlNames.Type) == "usb") is { } hub)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Can't add USB hub: USB is disabled for this domain", hub);
        }

        if (devices.Elements(XmlNames.Redirdev).FirstOrDefault(r => (r.Attr(XmlNames.Bus) ?? "usb") == "usb") is { } redirdev)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "cannot add redirected USB device: USB is disabled for this domain", redirdev);
        }
    }
}
