using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// UEFI and ACPI go together where the platform ties them: on aarch64 only UEFI firmware passes ACPI tables to the
/// guest; on x86 UEFI firmware needs ACPI (qemuValidateDomainDefFeatures).
/// </summary>
internal sealed class FirmwareRule : IDomainRule
{
    public void Check(ValidationContext context)
    {
        var domain = context.Domain;
        var machine = context.Machine;
        var acpi = domain.Element(XmlNames.Features)?.Element(XmlNames.Acpi);
        bool acpiOn = acpi is not null && acpi.Attr(XmlNames.State) != "off";
        bool uefi = IsUefi(domain.Element(XmlNames.Os));
        if (machine.IsAarch64 && acpiOn && !uefi)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "ACPI requires UEFI on this architecture", acpi);
        }

        if (machine.IsX86 && uefi && !acpiOn)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "UEFI requires ACPI on this architecture", domain.Element(XmlNames.Os));
        }
    }

    /// <summary>firmware='efi', or a pflash loader (libvirt's "old style" UEFI, virDomainDefHasOldStyleUEFI).</summary>
    private static bool IsUefi(XElement? os) =>
        os is not null && (os.Attr(XmlNames.Firmware) == "efi" || os.Element(XmlNames.Loader)?.Attr(XmlNames.Type) == "pflash");
}
