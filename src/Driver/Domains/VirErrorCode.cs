namespace Kvm.Driver.Domains;

/// <summary>The libvirt virErrorNumber values kvmd reports (the number behind each message).</summary>
public enum VirErrorCode
{
    InternalError = 1,
    NoSupport = 3,
    NoConnect = 5,
    InvalidArg = 8,
    OperationFailed = 9,
    XmlError = 27,
    XmlDetail = 35,
    SystemError = 38,
    OperationDenied = 29,
    Rpc = 39,
    NoDomain = 42,
    OperationInvalid = 55,
    ConfigUnsupported = 67,
    ArgumentUnsupported = 74,
    OperationTimeout = 68,
    InvalidDomain = 7,
    NoDomainMetadata = 80,
    Overflow = 82,
    OperationUnsupported = 84,
}
