using Kvm.Driver.Domains;

namespace Kvm.Driver.Snapshots;

/// <summary>libvirt's snapshot messages (snapshot_conf.c, qemu_snapshot.c, qemu_driver.c), each returning the exception.</summary>
internal static class SnapshotErrors
{
    public const VirErrorCode XmlDetail = (VirErrorCode)35;            // VIR_ERR_XML_DETAIL
    public const VirErrorCode NoDomainSnapshot = (VirErrorCode)72;     // VIR_ERR_NO_DOMAIN_SNAPSHOT
    public const VirErrorCode OperationUnsupported = (VirErrorCode)84; // VIR_ERR_OPERATION_UNSUPPORTED

    public static DomainOperationException NotFound(string name) =>
        new(NoDomainSnapshot, $"Domain snapshot not found: no domain snapshot with matching name '{name}'");

    public static DomainOperationException NoParent(string name) =>
        new(NoDomainSnapshot, $"Domain snapshot not found: snapshot '{name}' does not have a parent");

    public static DomainOperationException NoCurrent() =>
        new(NoDomainSnapshot, "Domain snapshot not found: the domain does not have a current snapshot");

    public static DomainOperationException Xml(string message) => new(VirErrorCode.XmlError, "XML error: " + message);

    public static DomainOperationException Detail(string message) => new(XmlDetail, message); // VIR_ERR_XML_DETAIL prints the text alone

    public static DomainOperationException Config(string message) => DomainErrors.ConfigUnsupported(message);

    public static DomainOperationException Internal(string message) => DomainErrors.Internal(message);

    public static DomainOperationException Invalid(string message) =>
        new(VirErrorCode.OperationInvalid, "Requested operation is not valid: " + message);

    public static DomainOperationException InvalidArg(string message) => new(VirErrorCode.InvalidArg, "invalid argument: " + message);

    public static DomainOperationException Unsupported(string message) => new(OperationUnsupported, "Operation not supported: " + message);

    public static DomainOperationException Exclusive(string a, string b) => InvalidArg($"Flags '{a}' and '{b}' are mutually exclusive");

    public static DomainOperationException Requires(string flag, string required) => InvalidArg($"Flag '{required}' is required by flag '{flag}'");

    /// <summary>virReportSystemError on the snapshot metadata files: libvirt's text, the OS's reason after it.</summary>
    public static DomainOperationException System(string message, Exception inner) =>
        new(VirErrorCode.SystemError, $"{message}: {inner.Message}", inner);
}
