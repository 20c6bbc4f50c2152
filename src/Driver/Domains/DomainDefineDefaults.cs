using System.Xml.Linq;
using Kvm.DomainXml;
using Kvm.DomainXml.Model;
using Kvm.Vmm.Support;

namespace Kvm.Driver.Domains;

/// <summary>
/// The machine type as libvirt's QEMU driver settles it at define time (qemuDomainDefPostParseBasic and
/// qemuValidateDomainDef): a domain without <c>machine=</c> gets the emulator's default machine, kvm-vmm's
/// <see cref="VmmSupport.Machine"/>, which the stored and dumped XML then show; a name the user wrote, versioned or
/// an alias, is kept as written; a name kvm-vmm does not answer to is refused with libvirt's message. Only guests of
/// kvm-vmm's architecture get the default: an arch kvm-vmm cannot run has no default machine to give.
/// </summary>
internal static class DomainDefineDefaults
{
    /// <summary>libvirt's refusal of a machine its emulator does not have, for a new definition.</summary>
    public static void CheckMachine(DomainDef def, string emulator)
    {
        if (def.Os.Machine is { } machine && IsVmmArch(def.Os.Arch) && !VmmSupport.IsMachine(machine))
        {
            throw DomainErrors.ConfigUnsupported($"Emulator '{emulator}' does not support machine type '{machine}'");
        }
    }

    /// <summary>Adds the default machine to <c>/domain/os/type</c> when it has none; false when nothing was added.</summary>
    public static bool AddMachine(XDocument document)
    {
        if (document.Root?.Element("os")?.Element("type") is not { } type || type.Attribute("machine") is not null
            || !IsVmmArch(type.Attribute("arch")?.Value))
        {
            return false;
        }

        type.SetAttributeValue("machine", VmmSupport.Machine);
        return true;
    }

    /// <summary>
    /// A definition loaded from the state directory, written before kvmd gave the default at define time, with the
    /// default added (parsed without validation, as every loaded definition is); the document itself when it has a machine.
    /// </summary>
    public static DomainDocument WithMachine(DomainDocument document)
    {
        if (document.Definition.Os.Machine is not null || !IsVmmArch(document.Definition.Os.Arch))
        {
            return document;
        }

        var tree = XDocument.Parse(DomainXmlFormatter.Format(document, DomainFormatFlags.Secure | DomainFormatFlags.Inactive));
        return AddMachine(tree)
            ? DomainXmlParser.Parse(tree.ToString(SaveOptions.DisableFormatting), null, DomainParseFlags.Inactive | DomainParseFlags.SkipValidate)
            : document;
    }

    private static bool IsVmmArch(string? arch) => arch is null || arch == DomainCapabilityQuery.Arch;
}
