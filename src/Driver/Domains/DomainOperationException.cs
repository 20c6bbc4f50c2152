namespace Kvm.Driver.Domains;

/// <summary>A failed domain operation, carrying libvirt's error number and libvirt's message text verbatim
/// ("Domain not found: no domain with matching name 'x'", "Requested operation is not valid: domain is not running").
/// The D-Bus layer sends the message as an org.libvirt.Error.</summary>
public sealed class DomainOperationException : Exception
{
    public DomainOperationException(VirErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    public VirErrorCode Code { get; }
}
