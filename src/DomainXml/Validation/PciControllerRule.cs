using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// PCI controllers: the root bus matches the machine type, root buses have index 0 and no address, target options
/// are in range, a NUMA node given to an extra host bridge exists, and expander buses are of the machine's kind
/// (libvirt's virDomainControllerDefValidate, qemuDomainDefAddDefaultDevices and qemuDomainControllerDefPostParse).
/// </summary>
internal sealed class PciControllerRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var machine = context.Machine;
        var controllers = (context.Devices?.Elements(XmlNames.Controller) ?? []).Where(c => c.Attr(XmlNames.Type) == "pci").ToList();
        int nodes = domain.Element(XmlNames.Cpu)?.Element(XmlNames.Numa)?.Elements(XmlNames.Cell).Count() ?? 0;
        foreach (var controller in controllers)
        {
            CheckRoot(controller, machine);
            CheckTarget(controller);
            CheckNode(controller, machine, nodes);
        }

        foreach (var controller in controllers)
        {
            CheckExpander(controller, machine);
        }
    }

    /// <summary>The model a PCI controller has once defaults apply: index 0 without a model is the machine's root bus.</summary>
    private static string? ModelOf(XElement controller, MachineType machine) =>
        controller.Attr(XmlNames.Model) ?? (controller.Int(XmlNames.Index) == 0 ? RootModel(machine) : null);

    private static string? RootModel(MachineType machine) =>
        machine.IsQ35 ? "pcie-root" : machine.IsI440fx || machine.IsPpc64 ? "pci-root" : null;

    private static void CheckRoot(XElement controller, MachineType machine)
    {
        int index = controller.Int(XmlNames.Index) ?? 0;
        string? model = controller.Attr(XmlNames.Model);
        if (index == 0 && model is not null && RootModel(machine) is { } root && model != root)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"The PCI controller with index='0' must be model='{root}' for this machine type, but model='{model}' was found instead",
                controller, "model");
        }

        if (model is not ("pci-root" or "pcie-root"))
        {
            return;
        }

        if (controller.Element(XmlNames.Address) is { } address)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "pci-root and pcie-root controllers should not have an address", address);
        }

        // pSeries guests can have several PHBs (pci-root controllers); other machines have exactly one root bus.
        if (index != 0 && !machine.IsPSeries)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "pci-root and pcie-root controllers should have index 0", controller, "index");
        }
    }

    private static void CheckTarget(XElement controller)
    {
        int index = controller.Int(XmlNames.Index) ?? 0;
        if (index > 255)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"PCI controller index {index} too high, maximum is 255",
                controller, "index");
        }

        if (controller.Element(XmlNames.Target) is not { } target)
        {
            return;
        }

        if (target.UInt(XmlNames.Index) is { } targetIndex)
        {
            if (targetIndex > 30)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"PCI controller target index '{targetIndex}' out of range - must be 0-30", target, "index");
            }

            if ((index == 0) != (targetIndex == 0))
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    "Only the PCI controller with index 0 can have target index 0, and vice versa", target, "index");
            }
        }

        CheckRange(target, "chassisNr", 1, 255);
        CheckRange(target, "chassis", 0, 255);
        CheckRange(target, "port", 0, 255);
        CheckRange(target, "busNr", 1, 254);
    }

    /// <summary>
    /// A PCI host bridge other than the default one may sit close to a guest NUMA node, which then exists
    /// (virDomainControllerDefValidate, qemuDomainControllerDefPostParse).
    /// </summary>
    private static void CheckNode(XElement controller, MachineType machine, int nodes)
    {
        if (controller.Element(XmlNames.Target)?.Element(XmlNames.Node) is not { } node || !int.TryParse(node.Text().Trim(), out int id) || id < 0)
        {
            return;
        }

        int index = controller.Int(XmlNames.Index) ?? 0;
        if (index == 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "The PCI controller with index=0 can't be associated with a NUMA node",
                node);
        }

        if (id >= nodes)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError,
                $"{ModelOf(controller, machine)} with index {index} is configured for a NUMA node ({id}) not present in the domain's " +
                $"<cpu><numa> array ({nodes})", node);
        }
    }

    /// <summary>The target options are non-negative numbers, decimal or hexadecimal.</summary>
    private static void CheckRange(XElement target, string name, uint min, uint max)
    {
        if (target.UInt(name) is { } value && (value < min || value > max))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"PCI controller {name} '{value}' out of range - must be {min}-{max}", target, name);
        }
    }

    /// <summary>An expander bus is a second host bridge of the machine's own kind (where it plugs in: PciSlotRule).</summary>
    private static void CheckExpander(XElement controller, MachineType machine)
    {
        string? model = controller.Attr(XmlNames.Model);
        if (model == "pci-expander-bus" && !machine.IsI440fx)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "pci-expander-bus controllers are only supported on 440fx-based machinetypes", controller, "model");
        }

        if (model == "pcie-expander-bus" && !(machine.IsQ35 || machine.IsArmVirt))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                "pcie-expander-bus controllers are not supported with this machine type", controller, "model");
        }
    }
}
