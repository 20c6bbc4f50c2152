using Kvm.Driver.Domains;

namespace Kvm.Driver.Api;

/// <summary>The org.libvirt.Error replies libvirt-dbus sends, and the libvirt texts the API layer itself produces.</summary>
public static class LibvirtErrors
{
    /// <summary>The D-Bus error name of every libvirt failure; the message is libvirt's, verbatim.</summary>
    public const string ErrorName = "org.libvirt.Error";

    /// <summary>libvirt-dbus's own text for a UUID (argument or object path) that does not parse.</summary>
    public const string InvalidUuidMessage = "Invalid UUID";

    /// <summary>virReportUnsupportedError: a driver without the API.</summary>
    public static DomainOperationException NotSupported(string api) =>
        new(VirErrorCode.NoSupport, "this function is not supported by the connection driver: " + api);

    public static DomainOperationException InvalidUuid() => new(VirErrorCode.InvalidArg, InvalidUuidMessage);

    /// <summary>VIR_DOMAIN_START_PAUSED, for virDomainCreateWithFlags and virDomainCreateXML.</summary>
    public const uint StartPaused = 1;

    /// <summary>virCheckFlags: "unsupported flags (0x40) in function qemuDomainGetXMLDesc".</summary>
    public static void CheckFlags(uint flags, uint supported, string function)
    {
        uint unsupported = flags & ~supported;
        if (unsupported != 0)
        {
            throw new DomainOperationException(VirErrorCode.InvalidArg, $"unsupported flags (0x{unsupported:x}) in function {function}");
        }
    }
}
