using System.Xml.Linq;
using Kvm.DomainXml;
using Kvm.DomainXml.Errors;

namespace Kvm.Driver.Domains;

/// <summary>A new definition as define and create take it: parsed, given libvirt's define-time defaults, validated.</summary>
internal sealed partial class DomainDefinitions
{
    /// <summary>
    /// Parses a new definition as <c>virsh define</c> does, with the defaults libvirt's QEMU driver applies at define
    /// time (<see cref="DomainDefineDefaults"/>: the machine type, the PCI addresses of the devices on kvm-vmm's bus),
    /// and refuses a machine type kvm-vmm does not answer to as libvirt's validation does. <paramref name="emulator"/>
    /// is the kvm-vmm executable, named in that error.
    /// </summary>
    public static DomainDocument ParseNew(string xml, string? emulator = null)
    {
        try
        {
            var document = DomainXmlParser.Parse(xml, null, DomainParseFlags.Inactive);
            DomainNameRules.Check(document.Definition.Name);
            DomainDefineDefaults.CheckMachine(document.Definition, emulator ?? DomainManagerOptions.DefaultVmmPath());
            var tree = XDocument.Parse(Format(document));
            bool machineAdded = DomainDefineDefaults.AddMachine(tree);
            bool addressesAssigned = PciAddressAssignment.Assign(tree);
            return machineAdded || addressesAssigned
                ? DomainXmlParser.Parse(tree.ToString(SaveOptions.DisableFormatting), null, DomainParseFlags.Inactive)
                : document;
        }
        catch (DomainXmlException e)
        {
            throw DomainErrors.FromXml(e);
        }
    }

    /// <summary><see cref="ParseNew(string, string?)"/> for this store's kvm-vmm.</summary>
    public DomainDocument ParseNewDefinition(string xml) => ParseNew(xml, _emulator);
}
