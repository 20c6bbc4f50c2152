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

    /// <summary>
    /// libvirt raises this one in its generic domain code (domain_conf.c, virdomainobjlist.c: VIR_FROM_DOMAIN), not
    /// in the QEMU driver (VIR_FROM_QEMU): clients see the difference in the error's domain.
    /// </summary>
    public bool FromDomainConf { get; init; }
}
