using Kvm.Driver.Domains;

namespace Kvm.Driver.Secrets;

/// <summary>libvirt's secret driver messages (secret_driver.c, virsecretobj.c, secret_conf.c), each returning the exception.</summary>
internal static class SecretErrors
{
    public const VirErrorCode InvalidSecret = (VirErrorCode)65; // VIR_ERR_INVALID_SECRET
    public const VirErrorCode NoSecret = (VirErrorCode)66;      // VIR_ERR_NO_SECRET

    public static DomainOperationException NoSecretByUuid(Guid uuid) =>
        new(NoSecret, $"Secret not found: no secret with matching uuid '{uuid:D}'");

    public static DomainOperationException NoSecretByUsage(string usageId) =>
        new(NoSecret, $"Secret not found: no secret with matching usage '{usageId}'");

    public static DomainOperationException NoValue(Guid uuid) =>
        new(NoSecret, $"Secret not found: secret '{uuid:D}' does not have a value");

    public static DomainOperationException IsPrivate() => new(InvalidSecret, "Invalid secret: secret is private");

    public static DomainOperationException Xml(string message) => new(VirErrorCode.XmlError, "XML error: " + message);

    public static DomainOperationException Internal(string message) => DomainErrors.Internal(message);

    /// <summary>virReportSystemError on the secret's files: libvirt's text, the OS's reason after it.</summary>
    public static DomainOperationException System(string message, Exception inner) =>
        new(VirErrorCode.SystemError, $"{message}: {inner.Message}", inner);
}
