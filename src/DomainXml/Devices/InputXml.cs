using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;input&gt;</c>: the typed view with libvirt's parse-time checks and bus default (virDomainInputDefParseXML).</summary>
internal static class InputXml
{
    internal static readonly XmlEnum<InputType> s_type = new(
        (InputType.Mouse, "mouse"),
        (InputType.Tablet, "tablet"),
        (InputType.Keyboard, "keyboard"),
        (InputType.Passthrough, "passthrough"),
        (InputType.Evdev, "evdev"));

    internal static readonly XmlEnum<InputBus> s_bus = new(
        (InputBus.Ps2, "ps2"),
        (InputBus.Usb, "usb"),
        (InputBus.Xen, "xen"),
        (InputBus.Parallels, "parallels"),
        (InputBus.Virtio, "virtio"),
        (InputBus.None, "none"));

    internal static readonly XmlEnum<InputModel> s_model = new(
        (InputModel.Virtio, "virtio"),
        (InputModel.VirtioTransitional, "virtio-transitional"),
        (InputModel.VirtioNonTransitional, "virtio-non-transitional"));

    private static readonly HashSet<string> s_grab = ["all"];
    private static readonly HashSet<string> s_grabToggle =
        ["ctrl-ctrl", "alt-alt", "shift-shift", "meta-meta", "scrolllock", "ctrl-scrolllock"];

    public static InputDef Parse(XElement input, XElement domain)
    {
        if (input.Attr(XmlNames.Type) is null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "missing input device type", input);
        }

        var type = input.EnumNamed("type", s_type, "input device type")!.Value;
        var model = input.EnumNamed("model", s_model, "input model");
        var bus = input.EnumNamed("bus", s_bus, "input bus type") ?? DefaultBus(type, domain);
        string? device = null;
        if (input.Element(XmlNames.Source) is { } source)
        {
            device = type switch
            {
                InputType.Passthrough => source.Attr(XmlNames.Evdev),
                InputType.Evdev => source.Attr(XmlNames.Dev),
                _ => null,
            };
            if (device is null && type is InputType.Passthrough or InputType.Evdev)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "Missing evdev path for input device", source);
            }

            if (type == InputType.Evdev)
            {
                source.OneOf("grab", s_grab);
                source.OneOf("grabToggle", s_grabToggle);
                source.OnOff(XmlNames.Repeat);
            }
        }

        return new InputDef { Type = type, Bus = bus, Model = model, SourceDevice = device };
    }

    /// <summary>libvirt's parse-time default bus, from the OS type, the architecture and the hypervisor type.</summary>
    private static InputBus? DefaultBus(InputType type, XElement domain)
    {
        var osType = domain.Element(XmlNames.Os)?.Element(XmlNames.Type);
        string? arch = osType?.Attr(XmlNames.Arch);
        switch (osType?.Text().Trim())
        {
            case "hvm":
                if (type is InputType.Mouse or InputType.Keyboard && arch is null or "i686" or "x86_64")
                {
                    return InputBus.Ps2;
                }

                if (arch is "s390" or "s390x" || type == InputType.Passthrough)
                {
                    return InputBus.Virtio;
                }

                return type == InputType.Evdev ? InputBus.None : InputBus.Usb;
            case "xen" or "xenpvh":
                return InputBus.Xen;
            default:
                return domain.Attr(XmlNames.Type) is "vz" or "parallels" ? InputBus.Parallels : null;
        }
    }
}
