using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Input devices sit on a bus that has them: PS/2 carries a mouse and a keyboard, host passthrough is virtio-input,
/// evdev grabs a host device without any bus, and the virtio models need the virtio bus — as modern devices only,
/// since virtio-input has no transitional variant; a USB input has a USB address (virDomainInputDefParseXML,
/// virDomainInputDefValidate, qemuValidateDomainDeviceDefInput).
/// </summary>
internal sealed class InputRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Input];

    public void Check(ValidationContext context)
    {
        var definition = context.Definition;
        var elements = context.Devices?.Elements(XmlNames.Input).ToList() ?? [];
        bool hvm = definition.Os.Type == "hvm";
        for (int i = 0; i < elements.Count && i < definition.Devices.Inputs.Count; i++)
        {
            CheckInput(elements[i], definition.Devices.Inputs[i], hvm);
        }
    }

    private static void CheckInput(XElement element, InputDef input, bool hvm)
    {
        string type = InputTypeName(input.Type);
        if (input.Bus == InputBus.Usb && element.Element(XmlNames.Address)?.Attr(XmlNames.Type) is { } addressType && addressType != "usb")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "Invalid address for a USB device", element.Element(XmlNames.Address), "type");
        }

        if (hvm && input.Bus == InputBus.Ps2 && input.Type is not (InputType.Mouse or InputType.Keyboard))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, $"ps2 bus does not support {type} input device", element, "bus");
        }

        if (hvm && input.Bus == InputBus.Xen)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "unsupported input bus xen", element, "bus");
        }

        (string? Attribute, string Detail)? error = input.Type switch
        {
            InputType.Mouse or InputType.Tablet or InputType.Keyboard when element.Element(XmlNames.Source)?.Attr(XmlNames.Evdev) is not null =>
                (null, "setting source evdev path only supported for passthrough input devices"),
            InputType.Passthrough when input.Bus != InputBus.Virtio =>
                ("bus", "only bus 'virtio' is supported for 'passthrough' input devices"),
            InputType.Evdev when input.Bus is not (null or InputBus.None) => ("bus", "input evdev doesn't support bus element"),
            _ => null,
        };
        if (error is { } e)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, e.Detail, e.Attribute is null ? element.Element(XmlNames.Source) : element,
                e.Attribute);
        }

        if (input.Model is { } model)
        {
            string name = element.Attr(XmlNames.Model)!;
            if (input.Bus != InputBus.Virtio)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"only bus 'virtio' is supported for input model '{name}'",
                    element, "model");
            }

            if (model is InputModel.VirtioTransitional or InputModel.VirtioNonTransitional)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"virtio (non-)transitional models are not supported for input type={type}", element, "model");
            }
        }
    }

    private static string InputTypeName(InputType type) => type switch
    {
        InputType.Mouse => "mouse",
        InputType.Tablet => "tablet",
        InputType.Keyboard => "keyboard",
        InputType.Passthrough => "passthrough",
        InputType.Evdev => "evdev",
    };
}
