using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// A serial port's target says which UART the guest gets: its type (the bus it sits on, with that bus's address) and
/// model agree, and both exist on the machine — pl011 on ARM virt, 16550A system serial on RISC-V virt, spapr-vty on
/// pSeries, SCLP consoles on s390 (qemuDomainChrDefPostParse defaults, qemuValidateDomainChrTargetDef,
/// qemuValidateDomainChrDef).
/// </summary>
internal sealed class SerialTargetRule : IDomainRule
{
    /// <summary>The target type each model belongs to (qemuValidateChrSerialTargetModelToTargetType).</summary>
    private static readonly Dictionary<string, string> s_typeOfModel = new(StringComparer.Ordinal)
    {
        ["isa-serial"] = "isa-serial",
        ["usb-serial"] = "usb-serial",
        ["pci-serial"] = "pci-serial",
        ["spapr-vty"] = "spapr-vio-serial",
        ["pl011"] = "system-serial",
        ["sclpconsole"] = "sclp-serial",
        ["sclplmconsole"] = "sclp-serial",
        ["16550a"] = "system-serial",
        ["isa-debugcon"] = "isa-debug",
    };

    /// <summary>The address type each bus-attached target type takes (qemuValidateChrSerialTargetTypeToAddressType).</summary>
    private static readonly Dictionary<string, string> s_addressOfType = new(StringComparer.Ordinal)
    {
        ["isa-serial"] = "isa",
        ["usb-serial"] = "usb",
        ["pci-serial"] = "pci",
        ["spapr-vio-serial"] = "spapr-vio",
        ["isa-debug"] = "isa",
    };

    public void Check(ValidationContext context)
    {
        var machine = context.Machine;
        foreach (var serial in context.Devices?.Elements(XmlNames.Serial) ?? [])
        {
            var target = serial.Element(XmlNames.Target);
            string? type = TypeOf(target?.Attr(XmlNames.Type), machine);
            string? model = target?.Element(XmlNames.Model)?.Attr(XmlNames.Name) ?? DefaultModel(type, machine);
            CheckTarget(serial, target, type, model);

            bool compatible = !(type == "system-serial" && model == "pl011" && !machine.IsArmVirt)
                && !(type == "system-serial" && model == "16550a" && !machine.IsRiscvVirt)
                && !(!machine.IsPSeries && (type == "spapr-vio-serial" || model == "spapr-vty"))
                && !(!machine.IsS390 && (type == "sclp-serial" || model is "sclpconsole" or "sclplmconsole"));
            if (!compatible)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"Serial device with target type '{type ?? "none"}' and target model '{model ?? "none"}' not compatible with guest " +
                    "architecture or machine type", target ?? serial);
            }
        }
    }

    /// <summary>The target type once defaults apply: 'isa-serial' and none both mean the machine's own UART.</summary>
    private static string? TypeOf(string? written, MachineType machine)
    {
        if (written is not (null or "isa-serial"))
        {
            return written;
        }

        return machine.IsX86 ? "isa-serial"
            : machine.IsPSeries ? "spapr-vio-serial"
            : machine.IsArmVirt || machine.IsRiscvVirt ? "system-serial"
            : machine.IsS390 ? "sclp-serial"
            : null;
    }

    private static string? DefaultModel(string? type, MachineType machine) => type switch
    {
        "isa-serial" => "isa-serial",
        "usb-serial" => "usb-serial",
        "pci-serial" => "pci-serial",
        "spapr-vio-serial" => "spapr-vty",
        "system-serial" when machine.IsArmVirt => "pl011",
        "system-serial" when machine.IsRiscvVirt => "16550a",
        "sclp-serial" => "sclpconsole",
        "isa-debug" => "isa-debugcon",
        _ => null,
    };

    private static void CheckTarget(XElement serial, XElement? target, string? type, string? model)
    {
        string? address = serial.Element(XmlNames.Address)?.Attr(XmlNames.Type);
        if (type is not null && s_addressOfType.TryGetValue(type, out string? expected) && address is not null && address != expected)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"Target type '{type}' requires address type '{expected}'",
                serial.Element(XmlNames.Address), "type");
        }

        if (type is "system-serial" or "sclp-serial" && address is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"Target type '{type}' cannot have an associated address",
                serial.Element(XmlNames.Address));
        }

        if (model is not null && s_typeOfModel.TryGetValue(model, out string? modelType) && modelType != type)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"Target model '{model}' requires target type '{modelType}'",
                target?.Element(XmlNames.Model), "name");
        }
    }
}
