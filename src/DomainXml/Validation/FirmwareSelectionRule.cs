using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// Firmware is either picked by the host from the features asked for (<c>&lt;os firmware&gt;</c>) or given as a loader
/// path; only UEFI keeps variables in NVRAM, so NVRAM goes with EFI autoselection or a pflash loader and never with
/// a stateless one; enrolled Secure Boot keys need Secure Boot; Secure Boot needs a Q35 x86_64 machine with SMM
/// (virDomainDefPostParseOs, virDomainDefOSValidate, qemuValidateDomainDefBoot).
/// </summary>
internal sealed class FirmwareSelectionRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        if (domain.Element(XmlNames.Os) is not { } os)
        {
            return;
        }

        var features = os.Element(XmlNames.Firmware)?.Elements(XmlNames.Feature).ToList() ?? [];
        if (Enabled(features, "enrolled-keys") == true && Enabled(features, "secure-boot") == false)
        {
            // libvirt reports this as VIR_ERR_XML_DETAIL, whose message has no category prefix.
            ThrowHelper.Throw(DomainXmlErrorKind.Detail,
                "firmware feature 'enrolled-keys' cannot be enabled when firmware feature 'secure-boot' is disabled", os.Element(XmlNames.Firmware));
        }

        var loader = os.Element(XmlNames.Loader);
        var nvram = os.Element(XmlNames.Nvram);
        if (loader is null && nvram is null)
        {
            return;
        }

        string? firmware = os.Attr(XmlNames.Firmware);
        bool nvramFile = nvram is not null && (nvram.Text().Trim().Length > 0 || nvram.Element(XmlNames.Source) is not null);
        if (firmware is not null)
        {
            if (nvramFile && firmware != "efi")
            {
                ThrowHelper.Throw(DomainXmlErrorKind.Detail, $"firmware type '{firmware}' does not support nvram", nvram);
            }
        }
        else if (loader is null || loader.Text().Trim().Length == 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.Detail, "no loader path specified and firmware auto selection disabled", loader ?? nvram);
        }

        CheckStateless(loader, nvram, nvramFile, firmware);
        CheckSecureBoot(domain, loader, firmware);
    }

    private static bool? Enabled(List<XElement> features, string name) =>
        features.FirstOrDefault(f => f.Attr(XmlNames.Name) == name)?.YesNo(XmlNames.Enabled);

    private static void CheckStateless(XElement? loader, XElement? nvram, bool nvramFile, string? firmware)
    {
        switch (loader?.YesNo(XmlNames.Stateless))
        {
            case true when nvram?.Attr(XmlNames.Template) is not null:
                ThrowHelper.Throw(DomainXmlErrorKind.Detail, "NVRAM template is not permitted when loader is stateless", nvram, "template");
                break;
            case true when nvramFile:
                ThrowHelper.Throw(DomainXmlErrorKind.Detail, "NVRAM is not permitted when loader is stateless", nvram);
                break;
            case false when firmware is null && loader!.Attr(XmlNames.Type) != "pflash":
                // A loader given by path without a type is a ROM (virDomainDefPostParseOs).
                ThrowHelper.Throw(DomainXmlErrorKind.Detail, "Only pflash loader type permits NVRAM", loader, "stateless");
                break;
            case false when firmware is not null && firmware != "efi":
                ThrowHelper.Throw(DomainXmlErrorKind.Detail, "Only EFI firmware permits NVRAM", loader, "stateless");
                break;
        }
    }

    private static void CheckSecureBoot(XElement domain, XElement? loader, string? firmware)
    {
        if (loader?.YesNo(XmlNames.Secure) != true)
        {
            return;
        }

        var machine = MachineType.Of(domain);
        if (!machine.IsQ35)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Secure boot is supported with q35 machine types only", loader, "secure");
        }

        if (machine.Arch != "x86_64")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Secure boot is supported for x86_64 architecture only",
                loader, "secure");
        }

        // With firmware autoselection, SMM is turned on for a Secure Boot build (qemuFirmwareFillDomain).
        var smm = domain.Element(XmlNames.Features)?.Element(XmlNames.Smm);
        if (firmware is null && (smm is null || smm.Attr(XmlNames.State) == "off"))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "Secure boot requires SMM feature enabled", loader, "secure");
        }
    }
}
