using Kvm.Driver.Domains;

namespace Kvm.Driver.Networks;

/// <summary>libvirt's network driver messages (network_conf.c, virnetworkobj.c, bridge_driver.c), each returning the exception.</summary>
internal static class NetworkErrors
{
    public const VirErrorCode NoNetwork = (VirErrorCode)43;  // VIR_ERR_NO_NETWORK
    public const VirErrorCode NoName = (VirErrorCode)45;     // VIR_ERR_NO_NAME
    public const VirErrorCode XmlDetail = (VirErrorCode)35;  // VIR_ERR_XML_DETAIL

    public static DomainOperationException NoNetworkByName(string name) =>
        new(NoNetwork, $"Network not found: no network with matching name '{name}'");

    public static DomainOperationException NoNetworkByUuid(Guid uuid) =>
        new(NoNetwork, $"Network not found: no network with matching uuid '{uuid:D}'");

    public static DomainOperationException NotActive(string name) =>
        new(VirErrorCode.OperationInvalid, $"Requested operation is not valid: network '{name}' is not active");

    public static DomainOperationException AlreadyActive() =>
        new(VirErrorCode.OperationInvalid, "Requested operation is not valid: network is already active");

    public static DomainOperationException Xml(string message) => new(VirErrorCode.XmlError, "XML error: " + message);

    public static DomainOperationException Unsupported(string message) => DomainErrors.ConfigUnsupported(message);

    public static DomainOperationException Invalid(string message) => new(VirErrorCode.OperationInvalid, "Requested operation is not valid: " + message);

    public static DomainOperationException Internal(string message, Exception? inner = null) =>
        new(VirErrorCode.InternalError, "internal error: " + message, inner);

    public static DomainOperationException Failed(string message, Exception? inner = null) => DomainErrors.OperationFailed(message, inner);

    public static DomainOperationException System(string message, Exception? inner = null) => new(VirErrorCode.SystemError, message, inner);
}
