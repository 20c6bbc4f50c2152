using System.Globalization;
using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;controller&gt;</c>: indexes and the controllers other devices imply.</summary>
internal static class ControllerXml
{
    private static readonly HashSet<string> s_types =
        ["ide", "fdc", "scsi", "sata", "virtio-serial", "ccid", "usb", "pci", "xenbus", "isa", "nvme"];

    public static ControllerDef Parse(XElement controller)
    {
        string type = controller.Attr(XmlNames.Type) ?? "ide";
        if (!s_types.Contains(type))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, $"Unknown controller type '{type}'", controller, "type");
        }

        // A missing index (-1) is assigned in post-parse; a written one is a non-negative number (virXMLPropInt).
        int index = controller.Int(XmlNames.Index) ?? -1;
        if (controller.Attr(XmlNames.Index) is { } text && index < 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"Invalid value for attribute 'index' in element 'controller': '{text}'. Expected non-negative value", controller, "index");
        }

        return new ControllerDef(type, index, controller.Attr(XmlNames.Model));
    }

    /// <summary>A controller without an index gets the lowest one its type does not use yet.</summary>
    public static void AssignIndexes(XElement devices)
    {
        foreach (var controller in devices.Elements(XmlNames.Controller))
        {
            if (controller.Attr(XmlNames.Index) is not null)
            {
                continue;
            }

            string type = controller.Attr(XmlNames.Type) ?? "ide";
            controller.Set(XmlNames.Type, type);
            controller.Set(XmlNames.Index, UnusedIndex(devices, type).ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Smartcards sit on CCID controllers: give each an address and make sure its controller exists.</summary>
    public static void AddSmartcardControllers(XElement devices)
    {
        var slots = new Dictionary<int, int>();
        foreach (var card in devices.Elements(XmlNames.Smartcard))
        {
            var address = card.Element(XmlNames.Address);
            if (address is null)
            {
                int slot = slots.GetValueOrDefault(0);
                address = new XElement(XmlNames.Address, new XAttribute(XmlNames.Type, "ccid"), new XAttribute(XmlNames.Controller, "0"),
                    new XAttribute(XmlNames.Slot, slot.ToString(CultureInfo.InvariantCulture)));
                card.Add(address);
            }

            if (address.Attr(XmlNames.Type) != "ccid")
            {
                continue;
            }

            int controller = address.Int(XmlNames.Controller) ?? 0;
            slots[controller] = Math.Max(slots.GetValueOrDefault(controller), (address.Int(XmlNames.Slot) ?? 0) + 1);
            if (!devices.Elements(XmlNames.Controller).Any(c => c.Attr(XmlNames.Type) == "ccid" && c.Int(XmlNames.Index) == controller))
            {
                var added = new XElement(XmlNames.Controller, new XAttribute(XmlNames.Type, "ccid"),
                    new XAttribute(XmlNames.Index, controller.ToString(CultureInfo.InvariantCulture)));
                var last = devices.Elements(XmlNames.Controller).LastOrDefault();
                if (last is not null)
                {
                    last.AddAfterSelf(added);
                }
                else
                {
                    devices.Add(added);
                }
            }
        }
    }

    private static int UnusedIndex(XElement devices, string type)
    {
        var used = new HashSet<int>();
        foreach (var c in devices.Elements(XmlNames.Controller))
        {
            if ((c.Attr(XmlNames.Type) ?? "ide") == type && c.Int(XmlNames.Index) is { } i)
            {
                used.Add(i);
            }
        }

        int index = 0;
        while (used.Contains(index))
        {
            index++;
        }

        return index;
    }
}
