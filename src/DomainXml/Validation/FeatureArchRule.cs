using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Each <c>&lt;features&gt;</c> entry belongs to a platform: the I/O APIC, paravirtual EOI and spinlocks to x86;
/// Hyper-V enlightenments to x86 and ARM virt; the GIC to ARM virt; hash page tables, transactional memory, nested
/// HV and the Spectre/Meltdown capabilities (ccf-assist, cfpc, sbbc, ibs) to pSeries, whose PMU cannot be turned
/// off; the VMware I/O port to PC machines; TCG tuning to TCG guests (qemuValidateDomainDefFeatures,
/// qemuValidateDomainDefPSeriesFeature, virQEMUCapsSupportsVmport).
/// </summary>
internal sealed class FeatureArchRule : IDomainRule
{
    private static readonly HashSet<string> s_pSeriesOnly = ["hpt", "htm", "nested-hv", "ccf-assist", "cfpc", "sbbc", "ibs"];

    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var definition = context.Definition;
        if (domain.Element(XmlNames.Features) is not { } features)
        {
            return;
        }

        var machine = context.Machine;
        foreach (var feature in features.Elements())
        {
            string name = feature.Name.LocalName;
            bool supported = name switch
            {
                "ioapic" or "pvspinlock" => machine.IsX86,
                "hyperv" => machine.IsX86 || machine.IsArmVirt,
                "gic" => machine.IsArmVirt || feature.Attr(XmlNames.State) == "off",
                "vmport" => machine.IsI440fx || machine.IsQ35 || machine.Machine == "isapc",
                _ when s_pSeriesOnly.Contains(name) => machine.IsPSeries,
                _ => true,
            };
            if (!supported)
            {
                string detail = name switch
                {
                    "hyperv" => $"Hyperv features are not supported for architecture '{machine.Arch}' or machine type '{machine.Machine}'",
                    "vmport" => "vmport is not available with this QEMU binary",
                    _ => $"The '{name}' feature is not supported for architecture '{machine.Arch}' or machine type '{machine.Machine}'",
                };
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, detail, feature);
            }

            CheckSetting(feature, name, machine, definition);
        }
    }

    private static void CheckSetting(XElement feature, string name, MachineType machine, DomainDef definition)
    {
        if (name == "apic" && feature.Attr(XmlNames.Eoi) is not null && !machine.IsX86)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                $"The 'eoi' attribute of the 'apic' feature is not supported for architecture '{machine.Arch}' or machine type " +
                $"'{machine.Machine}'", feature, "eoi");
        }

        if (name == "pmu" && feature.Attr(XmlNames.State) == "off" && machine.IsPpc64)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"PMU is always enabled for architecture '{machine.Arch}'",
                feature, "state");
        }

        if (name == "tcg" && feature.Attr(XmlNames.State) != "off")
        {
            if (definition.VirtType != "qemu")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"TCG features are incompatible with domain type '{definition.VirtType}'", feature);
            }
        }
    }
}
