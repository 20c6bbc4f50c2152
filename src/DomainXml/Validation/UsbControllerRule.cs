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

        if (none)
        {
            CheckNoUsbDevices(devices, definition);
        }

        foreach (var controller in devices.Elements("controller").Where(c => c.Attr("type") == "usb"))
        {
            if (controller.Attr("model") is "nec-xhci" or "qemu-xhci" && controller.UInt("ports") is > XhciMaxPorts)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"'{controller.Attr("model")}' controller only supports up to '{XhciMaxPorts}' ports", controller, "ports");
            }
        }
    }

    private static void CheckNoUsbDevices(XElement devices, DomainDef definition)
    {
        var inputs = devices.Elements("input").ToList();
        for (int i = 0; i < inputs.Count && i < definition.Devices.Inputs.Count; i++)
        {
            if (definition.Devices.Inputs[i].Bus == InputBus.Usb)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Can't add USB input device. USB bus is disabled", inputs[i]);
            }
        }

        if (devices.Elements("hostdev").FirstOrDefault(h => (h.Attr("mode") ?? "subsystem") == "subsystem" && h.Attr("type") == "usb")
            is { } hostdev)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Can't add host USB device: USB is disabled in this host", hostdev);
        }

        if (devices.Elements("hub").FirstOrDefault(h => h.Attr("type") == "usb") is { } hub)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Can't add USB hub: USB is disabled for this domain", hub);
        }

        if (devices.Elements("redirdev").FirstOrDefault(r => (r.Attr("bus") ?? "usb") == "usb") is { } redirdev)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "cannot add redirected USB device: USB is disabled for this domain", redirdev);
        }
    }
}
