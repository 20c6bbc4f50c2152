using System.Xml.Linq;
using Kvm.DomainXml.Devices.Chardev;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Devices;

/// <summary><c>&lt;tpm&gt;</c>: model and its one backend (virDomainTPMDefParseXML).</summary>
internal static class TpmXml
{
    internal static readonly XmlEnum<TpmModel> s_model = new(
        (TpmModel.TpmTis, "tpm-tis"),
        (TpmModel.TpmCrb, "tpm-crb"),
        (TpmModel.TpmSpapr, "tpm-spapr"),
        (TpmModel.SpaprTpmProxy, "spapr-tpm-proxy"));

    internal static readonly XmlEnum<TpmBackendType> s_backend = new(
        (TpmBackendType.Passthrough, "passthrough"),
        (TpmBackendType.Emulator, "emulator"),
        (TpmBackendType.External, "external"));

    internal static readonly XmlEnum<TpmVersion> s_version = new(
        (TpmVersion.Version12, "1.2"),
        (TpmVersion.Version20, "2.0"));

    /// <summary>The host TPM a passthrough backend uses when it names none (VIR_DOMAIN_TPM_DEFAULT_DEVICE).</summary>
    public const string DefaultDevice = "/dev/tpm0";

    /// <summary>A TPM and a TPM proxy at most.</summary>
    public const int MaxDevices = 2;

    public static TpmDef Parse(XElement tpm)
    {
        var model = tpm.Enum(XmlNames.Model, s_model);
        var backends = tpm.Elements(XmlNames.Backend).ToList();
        if (backends.Count > 1)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "only one TPM backend is supported", backends[1]);
        }

        if (backends.Count == 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "missing TPM device backend", tpm);
        }

        var backend = backends[0];
        var type = backend.Enum(XmlNames.Type, s_backend, required: true)!.Value;
        var result = new TpmDef { Model = model, Backend = type };
        return type switch
        {
            TpmBackendType.Passthrough => result with { Path = backend.Element(XmlNames.Device)?.Attr(XmlNames.Path) ?? DefaultDevice },
            TpmBackendType.Emulator => ParseEmulator(backend, result),
            TpmBackendType.External => result with { Path = ParseExternal(backend) },
        };
    }

    private static TpmDef ParseEmulator(XElement backend, TpmDef result)
    {
        if (backend.Element(XmlNames.Encryption)?.Attr(XmlNames.Secret) is { } secret && !Guid.TryParse(secret, out _))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.InternalError, $"Unable to parse secret uuid '{secret}'", backend.Element(XmlNames.Encryption), "secret");
        }

        bool? persistent = backend.Attr(XmlNames.PersistentState) switch
        {
            null => null,
            "yes" => true,
            "no" => false,
            _ => ThrowHelper.Throw<bool?>(DomainXmlErrorKind.InternalError,
                "Invalid persistent_state value, either 'yes' or 'no'", backend, "persistent_state"),
        };
        return result with { Version = backend.Enum(XmlNames.Version, s_version), PersistentState = persistent };
    }

    /// <summary>The socket path of an external backend, after checking its source type.</summary>
    private static string? ParseExternal(XElement backend)
    {
        var source = backend.Element(XmlNames.Source);
        if (source?.Attr(XmlNames.Type) is not { } type || type.Length == 0)
        {
            return ThrowHelper.Throw<string?>(DomainXmlErrorKind.XmlError, "missing external TPM backend type", source ?? backend);
        }

        if (!ChardevTypes.IsKnown(type))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unknown backend type '{type}' for external TPM", source, "type");
        }

        return source.Attr(XmlNames.Path);
    }
}
