using System.Xml.Linq;
using Kvm.DomainXml.Clock;
using Kvm.DomainXml.Cpu;
using Kvm.DomainXml.Cputune;
using Kvm.DomainXml.Devices;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Features;
using Kvm.DomainXml.General;
using Kvm.DomainXml.Memory;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Os;
using Kvm.DomainXml.Parsing;
using Kvm.DomainXml.Reading;
using NLog;

namespace Kvm.DomainXml;

/// <summary>
/// libvirt's pipeline for a domain definition: parse (syntax) → post-parse (defaults) → validate (semantics).
/// The result formats back with <see cref="DomainXmlFormatter"/>.
/// </summary>
public static class DomainXmlParser
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    public static DomainDocument Parse(string text, string? file = null, DomainParseFlags flags = DomainParseFlags.None,
        DomainXmlLimits? limits = null, IMacAddressSource? macs = null)
    {
        var root = XmlDocumentLoader.Load(text, file, limits ?? DomainXmlLimits.Default);
        if (root.Name != XmlNames.Domain)
        {
            throw new DomainXmlException(DomainXmlErrorKind.XmlError,
                $"unexpected root element <{root.Name.LocalName}>, expecting <domain>", SourceLocation.Of(root));
        }

        // Parse: syntax of everything the model covers.
        var identity = GeneralXml.Parse(root, flags);
        var memory = MemoryXml.Parse(root);
        var vcpu = VcpuXml.Parse(root);
        var os = OsXml.Parse(root);
        var lifecycle = LifecycleXml.Parse(root);
        var cpu = CpuXml.Parse(root, vcpu.Maximum);
        var features = FeaturesXml.Parse(root);
        var pm = PmXml.Parse(root);
        var clock = ClockXml.Parse(root);

        // Post-parse: defaults, written into the document as libvirt's formatter would write them. Devices are parsed
        // once, after the defaults that add or reorder them; those defaults leave malformed values to the device parsers.
        memory = MemoryXml.PostParse(memory, root);
        os = OsXml.PostParse(os, root);
        CputuneXml.PostParse(root, vcpu.Maximum, flags);
        DevicesXml.PostParse(root, macs ?? RandomMacAddressSource.Instance);
        GeneralXml.Format(identity, root);
        MemoryXml.Format(memory, root);
        VcpuXml.Format(vcpu, root);
        OsXml.Format(os, root);
        LifecycleXml.Format(lifecycle, root);
        var devices = DevicesXml.Parse(root, flags);
        DevicesXml.Format(devices, root);

        var definition = new DomainDef
        {
            VirtType = identity.VirtType,
            Id = identity.Id,
            Name = identity.Name,
            Uuid = identity.Uuid,
            Genid = identity.Genid,
            Title = identity.Title,
            Description = identity.Description,
            Memory = memory,
            Vcpu = vcpu,
            Os = os,
            Features = features,
            Cpu = cpu,
            Clock = clock,
            Pm = pm,
            Lifecycle = lifecycle,
            Devices = devices.Devices,
            FwCfgEntries = General.SysinfoXml.ParseFwCfg(root),
            Smbios = General.SysinfoXml.ParseSmbios(root),
        };

        // Validate: semantics. Skipped for stored definitions, so a stricter rule never makes a domain vanish.
        if ((flags & DomainParseFlags.SkipValidate) == 0)
        {
            GeneralXml.Validate(identity, root);
            VcpuXml.Validate(vcpu, root);
            CputuneXml.Validate(root);
            DevicesXml.Validate(devices);
            Validation.DomainValidator.Validate(root, definition);
        }

        s_log.Debug("Parsed domain {Domain} ({Uuid}) from {File}", definition.Name, definition.Uuid, file ?? "(input)");
        return new DomainDocument(root, definition, flags);
    }
}
