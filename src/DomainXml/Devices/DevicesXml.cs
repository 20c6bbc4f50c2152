using System.Xml.Linq;
using Kvm.DomainXml.Devices.Chardev;
using Kvm.DomainXml.Devices.Graphics;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary>
/// <c>&lt;devices&gt;</c>: parses each device it models into the typed list, leaving every other device in the
/// document as written; post-parse, validation and formatting per device kind.
/// </summary>
internal static class DevicesXml
{
    private static readonly Dictionary<string, ChardevKind> s_chardevKinds = new(StringComparer.Ordinal)
    {
        ["serial"] = ChardevKind.Serial,
        ["parallel"] = ChardevKind.Parallel,
        ["console"] = ChardevKind.Console,
        ["channel"] = ChardevKind.Channel,
    };

    /// <summary>Every device element with its typed definition, in document order.</summary>
    public sealed record Parsed(DevicesDef Devices, IReadOnlyList<(XElement Element, object Def)> Elements);

    public static Parsed Parse(XElement domain, DomainParseFlags flags)
    {
        var devices = domain.Element(XmlNames.Devices);
        if (devices is null)
        {
            return new Parsed(new DevicesDef(), []);
        }

        var elements = new List<(XElement, object)>();
        var disks = new List<DiskDef>();
        var controllers = new List<ControllerDef>();
        var interfaces = new List<InterfaceDef>();
        var chardevs = new List<ChardevDef>();
        var graphics = new List<GraphicsDef>();
        var videos = new List<VideoDef>();
        var typed = new TypedDevices();
        var others = new List<string>();
        foreach (var device in devices.Elements())
        {
            string kind = device.Name.LocalName;
            if (device.Name.Namespace != XNamespace.None)
            {
                continue;
            }

            object? def = null;
            if (s_chardevKinds.TryGetValue(kind, out var chardevKind))
            {
                var source = ChardevSourceXml.Parse(device, "type", flags);
                var target = device.Element(XmlNames.Target);
                var chardev = new ChardevDef(chardevKind, source, target?.Attr(XmlNames.Type), target?.Int(XmlNames.Port));
                chardevs.Add(chardev);
                def = chardev;
            }
            else
            {
                switch (kind)
                {
                    case "disk":
                        var disk = DiskXml.Parse(device);
                        disks.Add(disk);
                        def = disk;
                        break;
                    case "controller":
                        var controller = ControllerXml.Parse(device);
                        controllers.Add(controller);
                        def = controller;
                        break;
                    case "interface":
                        var nic = InterfaceXml.Parse(device);
                        interfaces.Add(nic);
                        def = nic;
                        break;
                    case "graphics":
                        var g = GraphicsXml.Parse(device, flags);
                        graphics.Add(g);
                        def = g;
                        break;
                    case "video":
                        var v = VideoXml.Parse(device);
                        videos.Add(v);
                        def = v;
                        break;
                    case "smartcard" when device.Attr(XmlNames.Mode) == "passthrough":
                    case "redirdev":
                        def = ChardevSourceXml.Parse(device, "type", flags);
                        break;
                    case "rng":
                        var rng = RngXml.Parse(device, flags);
                        if (rng.SourceChardev is { } egd)
                        {
                            elements.Add((device.Element(XmlNames.Backend)!, egd));
                        }

                        def = typed.Add(rng);
                        break;
                    case "emulator":
                        continue;
                    default:
                        def = typed.TryParse(device, domain);
                        if (def is null)
                        {
                            others.Add(kind);
                        }

                        break;
                }
            }

            if (def is not null)
            {
                elements.Add((device, def));
            }
        }

        return new Parsed(
            typed.AddTo(new DevicesDef
            {
                Emulator = devices.Element(XmlNames.Emulator)?.Text(),
                Disks = disks,
                Controllers = controllers,
                Interfaces = interfaces,
                Chardevs = chardevs,
                Graphics = graphics,
                Videos = videos,
                OtherKinds = others,
            }),
            elements);
    }

    public static void Validate(Parsed parsed)
    {
        foreach (var (element, def) in parsed.Elements)
        {
            switch (def)
            {
                case ChardevDef chardev:
                    bool channel = chardev.Kind == ChardevKind.Channel && chardev.TargetType is "virtio" or "xen";
                    ChardevSourceXml.Validate(chardev.Source, element, pathOptional: channel);
                    break;
                case ChardevSource source:
                    ChardevSourceXml.Validate(source, element, pathOptional: false);
                    break;
            }
        }
    }

    public static void Format(Parsed parsed, XElement domain)
    {
        foreach (var (element, def) in parsed.Elements)
        {
            switch (def)
            {
                case ChardevDef chardev:
                    ChardevSourceXml.Format(chardev.Source, element, "type");
                    break;
                case ChardevSource source:
                    ChardevSourceXml.Format(source, element, "type");
                    break;
                case GraphicsDef graphics:
                    GraphicsXml.Format(graphics, element);
                    break;
                case InterfaceDef nic:
                    InterfaceXml.Format(nic, element);
                    break;
            }
        }
    }

    /// <summary>
    /// Defaults that add or reorder devices: controller indexes, implicit controllers, the primary video, MACs. A domain
    /// without <c>&lt;devices&gt;</c> gets an empty one, as libvirt's formatter always writes it (cockpit-machines
    /// reads it unconditionally and stopped loading its list on a domain without one).
    /// </summary>
    public static void PostParse(XElement domain, IMacAddressSource macs)
    {
        if (domain.Element(XmlNames.Devices) is not { } devices)
        {
            domain.Add(new XElement(XmlNames.Devices));
            return;
        }

        VideoXml.MarkPrimary(devices);
        ControllerXml.AssignIndexes(devices);
        ControllerXml.AddSmartcardControllers(devices);
        InterfaceXml.AssignMacs(devices, macs);
    }
}
