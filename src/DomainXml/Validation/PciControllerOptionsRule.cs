using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Each PCI controller model takes the options of the device that implements it: a chassis number for a PCI bridge,
/// chassis and port for PCIe root and downstream ports, a bus number and NUMA node for expander buses, a target index
/// and NUMA node for extra pSeries host bridges, the 64-bit hole size for the i440fx or Q35 root bus, a hotplug switch
/// for the root bus and hotpluggable ports; its device name (<c>&lt;model name&gt;</c>) is one that implements the model
/// (qemuValidateDomainDeviceDefControllerPCI).
/// </summary>
internal sealed class PciControllerOptionsRule : IDomainRule
{
    /// <summary>The device names each model may have; the first is the one post-parse picks.</summary>
    private static readonly Dictionary<string, string[]> s_modelNames = new(StringComparer.Ordinal)
    {
        ["pci-bridge"] = ["pci-bridge"],
        ["dmi-to-pci-bridge"] = ["i82801b11-bridge"],
        ["pcie-root-port"] = ["pcie-root-port", "ioh3420"],
        ["pcie-switch-upstream-port"] = ["x3130-upstream"],
        ["pcie-switch-downstream-port"] = ["xio3130-downstream"],
        ["pci-expander-bus"] = ["pxb"],
        ["pcie-expander-bus"] = ["pxb-pcie"],
        ["pcie-to-pci-bridge"] = ["pcie-pci-bridge"],
    };

    public void Check(ValidationContext context)
    {
        var machine = context.Machine;
        foreach (var controller in (context.Devices?.Elements(XmlNames.Controller) ?? []).Where(c => c.Attr(XmlNames.Type) == "pci"))
        {
            if (controller.Attr(XmlNames.Model) is { } model)
            {
                CheckController(controller, model, machine);
            }
        }
    }

    private static void CheckController(XElement controller, string model, MachineType machine)
    {
        int index = controller.Int(XmlNames.Index) ?? 0;
        string? written = controller.Element(XmlNames.Model)?.Attr(XmlNames.Name);
        string modelName = written ?? (s_modelNames.TryGetValue(model, out string[]? names) ? names[0]
            : model == "pci-root" && machine.IsPSeries ? "spapr-pci-host-bridge" : "none");

        bool validName = model switch
        {
            "pci-root" => written is null or "spapr-pci-host-bridge" && (written is null || machine.IsPSeries),
            "pcie-root" => written is null,
            _ => !s_modelNames.TryGetValue(model, out string[]? allowed) || written is null || allowed.Contains(written),
        };
        if (!validName)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"Option 'modelName' has invalid value for PCI controller with index '{index}', model '{model}' and modelName '{modelName}'",
                controller.Element(XmlNames.Model), "name");
        }

        if (model is not ("pci-root" or "pcie-root") && index == 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"Index for '{model}' controllers must be > 0", controller, "index");
        }

        var target = controller.Element(XmlNames.Target);
        bool phb = model == "pci-root" && modelName == "spapr-pci-host-bridge";
        (string Option, bool Present, bool Allowed)[] options =
        [
            ("targetIndex", target?.Attr(XmlNames.Index) is not null, phb),
            ("pcihole64", controller.Element(XmlNames.Pcihole64) is not null, model is "pci-root" or "pcie-root"),
            ("busNr", target?.Attr(XmlNames.BusNr) is not null, model is "pci-expander-bus" or "pcie-expander-bus"),
            ("numaNode", target?.Element(XmlNames.Node) is not null, model is "pci-expander-bus" or "pcie-expander-bus" || phb),
            ("chassisNr", target?.Attr(XmlNames.ChassisNr) is not null, model == "pci-bridge"),
            ("chassis", target?.Attr(XmlNames.Chassis) is not null, model is "pcie-root-port" or "pcie-switch-downstream-port"),
            ("port", target?.Attr(XmlNames.Port) is not null, model is "pcie-root-port" or "pcie-switch-downstream-port"),
            ("hotplug", target?.Attr(XmlNames.Hotplug) is not null, model is "pci-root" or "pcie-root-port" or "pcie-switch-downstream-port"),
        ];
        foreach (var (option, present, allowed) in options)
        {
            if (present && !allowed)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"Option '{option}' is not valid for PCI controller with index '{index}', model '{model}' and modelName '{modelName}'",
                    option == "pcihole64" ? controller.Element(XmlNames.Pcihole64) : target);
            }
        }

        if (controller.Element(XmlNames.Pcihole64) is { } hole && ((model == "pci-root" && !machine.IsI440fx) || (model == "pcie-root" && !machine.IsQ35)))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"Setting the 64-bit PCI hole size is not supported for machine '{machine.Machine}'", hole);
        }
    }
}
