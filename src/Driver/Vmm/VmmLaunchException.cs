namespace Kvm.Driver.Vmm;

/// <summary>kvm-vmm could not be started, or exited before its monitor answered; the message is the VMM's own.</summary>
public sealed class VmmLaunchException : Exception
{
    public VmmLaunchException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
