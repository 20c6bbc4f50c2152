using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// vCPUs against the CPU topology: vCPUs are plugged in the units the machine hotplugs (whole cores on pSeries), so
/// the initial count is a multiple of that unit; more than
/// 255 x86 vCPUs need x2APIC interrupt routing, which is Q35 with an IOMMU in extended interrupt mode
/// (qemuValidateDomainVCpuTopology). That QEMU also wants the topology to describe exactly the maximum vCPU count is
/// left out: libvirt accepts definitions that differ when it does not know the QEMU's hotplug capabilities.
/// </summary>
internal sealed class VcpuTopologyRule : IDomainRule
{
    /// <summary>vCPUs an x86 guest can address without extended interrupt mode (QEMU_MAX_VCPUS_WITHOUT_EIM).</summary>
    private const uint MaxVcpusWithoutEim = 255;

    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var definition = context.Definition;
        var machine = context.Machine;
        var at = domain.Element(XmlNames.Vcpu) ?? domain;
        if (definition.Cpu?.Topology is { Sockets: > 0 } topology)
        {
            // pSeries plugs whole cores.
            uint granularity = machine.IsPSeries ? topology.Threads : 1;
            if (granularity > 0 && definition.Vcpu.Current % granularity != 0)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"vCPUs count must be a multiple of the vCPU hotplug granularity ({granularity})", at,
                    domain.Element(XmlNames.Vcpu)?.Attr(XmlNames.Current) is null ? null : "current");
            }
        }

        if (machine.IsX86 && definition.Vcpu.Maximum > MaxVcpusWithoutEim)
        {
            if (!machine.IsQ35)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"more than {MaxVcpusWithoutEim} vCPUs are only supported on q35-based machine types", at);
            }

            if (context.Devices?.Element(XmlNames.Iommu)?.Element(XmlNames.Driver)?.Attr(XmlNames.Eim) != "on")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    $"more than {MaxVcpusWithoutEim} vCPUs require extended interrupt mode enabled on the iommu device", at);
            }
        }
    }
}
