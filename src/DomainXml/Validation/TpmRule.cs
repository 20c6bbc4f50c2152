using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// TPMs: one TPM and one pSeries TPM proxy at most; the proxy forwards the host's TPM, so it uses the passthrough
/// backend; TPM 1.2 has no CRB interface, no pSeries device and no ARM support, and PCR banks are a TPM 2.0 notion;
/// an external TPM is a UNIX socket the domain connects to (qemuValidateDomainDefTPMs,
/// qemuValidateDomainDeviceDefTPM, virDomainTPMDevValidate).
/// </summary>
internal sealed class TpmRule : IDomainRule
{
    public XName[] Triggers { get; } = [XmlNames.Tpm];

    public void Check(ValidationContext context)
    {
        var machine = context.Machine;
        var tpms = context.Devices?.Elements(XmlNames.Tpm).ToList() ?? [];
        foreach (var tpm in tpms)
        {
            CheckBackend(tpm, machine);
        }

        bool proxy = false, regular = false;
        foreach (var tpm in tpms)
        {
            bool isProxy = tpm.Attr(XmlNames.Model) == "spapr-tpm-proxy";
            if (isProxy ? proxy : regular)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported,
                    isProxy ? "only a single TPM Proxy device is supported" : "only a single TPM non-proxy device is supported", tpm);
            }

            proxy |= isProxy;
            regular |= !isProxy;
        }
    }

    private static void CheckBackend(XElement tpm, MachineType machine)
    {
        var backend = tpm.Element(XmlNames.Backend)!;
        string? type = backend.Attr(XmlNames.Type);
        // Without a model, pSeries gets its own TPM device and other machines a TIS one (qemuDomainTPMDefPostParse).
        string model = tpm.Attr(XmlNames.Model) ?? (machine.IsPpc64 ? "tpm-spapr" : "tpm-tis");
        if (type == "emulator")
        {
            CheckEmulator(backend, model, machine);
        }

        if (type == "external" && backend.Element(XmlNames.Source) is { } source)
        {
            string? detail = source.Attr(XmlNames.Type) != "unix" ? "only source type 'unix' is supported for external TPM device"
                : source.Attr(XmlNames.Mode) == "bind" ? "only 'client' mode is supported for external TPM device"
                : source.Attr(XmlNames.Path) is null ? "missing socket path for external TPM device"
                : null;
            if (detail is not null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.XmlError, detail, source);
            }
        }

        if (machine.IsPpc64 && model == "spapr-tpm-proxy" && type != "passthrough")
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, "TPM Proxy model spapr-tpm-proxy requires 'Passthrough' backend",
                backend, "type");
        }
    }

    /// <summary>Only an explicit version 1.2 is checked: the default version has changed between libvirt releases.</summary>
    private static void CheckEmulator(XElement backend, string model, MachineType machine)
    {
        if (backend.Attr(XmlNames.Version) != "1.2")
        {
            return;
        }

        string? detail = model switch
        {
            "tpm-crb" => "Unsupported interface 'tpm-crb' for TPM 1.2",
            "tpm-spapr" => "TPM 1.2 is not supported with the SPAPR device model",
            _ when machine.IsArmVirt => "TPM 1.2 is not supported on ARM",
            _ => null,
        };
        if (detail is not null)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, detail, backend, "version");
        }

        if (backend.Element(XmlNames.ActivePcrBanks) is { } banks)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "<active_pcr_banks/> requires TPM version '2.0'", banks);
        }
    }
}
