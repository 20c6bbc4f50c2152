using Kvm.DomainXml.Errors;

namespace Kvm.Driver.Domains;

/// <summary>libvirt's messages for the domain service's failures, in one place (each returns the exception to throw).</summary>
internal static class DomainErrors
{
    public static DomainOperationException NoDomainByName(string name) =>
        new(VirErrorCode.NoDomain, $"Domain not found: no domain with matching name '{name}'");

    public static DomainOperationException NoDomainByUuid(Guid uuid) =>
        new(VirErrorCode.NoDomain, $"Domain not found: no domain with matching uuid '{uuid:D}'");

    public static DomainOperationException NoDomainById(int id) =>
        new(VirErrorCode.NoDomain, $"Domain not found: no domain with matching id {id}");

    public static DomainOperationException NameTaken(string name, Guid existing) =>
        new(VirErrorCode.OperationFailed, $"operation failed: domain '{name}' already exists with uuid {existing:D}") { FromDomainConf = true };

    public static DomainOperationException UuidTaken(string existingName, Guid uuid) =>
        new(VirErrorCode.OperationFailed, $"operation failed: domain '{existingName}' is already defined with uuid {uuid:D}") { FromDomainConf = true };

    public static DomainOperationException RenameTaken(string name) =>
        new(VirErrorCode.OperationInvalid, $"Requested operation is not valid: domain with name '{name}' already exists") { FromDomainConf = true };

    public static DomainOperationException RenameToSelf() =>
        new(VirErrorCode.OperationInvalid, "Requested operation is not valid: Can't rename domain to itself") { FromDomainConf = true };

    public static DomainOperationException InvalidArg(string message) =>
        new(VirErrorCode.InvalidArg, "invalid argument: " + message);

    public static DomainOperationException ConfigUnsupported(string message) =>
        new(VirErrorCode.ConfigUnsupported, "unsupported configuration: " + message);

    public static DomainOperationException NoMetadata() =>
        new(VirErrorCode.NoDomainMetadata, "metadata not found: Requested metadata element is not present") { FromDomainConf = true };

    public static DomainOperationException OperationFailed(string message, Exception? inner = null) =>
        new(VirErrorCode.OperationFailed, "operation failed: " + message, inner);

    public static DomainOperationException Internal(string message, Exception? inner = null) =>
        new(VirErrorCode.InternalError, "internal error: " + message, inner);

    public static DomainOperationException Timeout(string message, Exception? inner = null) =>
        new(VirErrorCode.OperationTimeout, "Timed out during operation: " + message, inner);

    /// <summary>The DomainXml engine's error as libvirt reports it (its message already carries libvirt's prefix).</summary>
    public static DomainOperationException FromXml(DomainXmlException e) => new(
        e.Kind switch
        {
            DomainXmlErrorKind.XmlSyntax or DomainXmlErrorKind.XmlError or DomainXmlErrorKind.InputRefused or DomainXmlErrorKind.Detail => VirErrorCode.XmlError,
            DomainXmlErrorKind.ConfigUnsupported => VirErrorCode.ConfigUnsupported,
            DomainXmlErrorKind.InternalError => VirErrorCode.InternalError,
            DomainXmlErrorKind.InvalidArgument => VirErrorCode.InvalidArg,
            DomainXmlErrorKind.OperationFailed => VirErrorCode.OperationFailed,
        },
        e.Message,
        e);
}
