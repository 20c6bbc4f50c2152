namespace Kvm.Vmm.Vhost;

/// <summary>A vhost call failed: what was attempted (the ioctl, or opening the device) and the errno the kernel gave.</summary>
public sealed class VhostException : Exception
{
    public VhostException(string message, int errno)
        : base(message)
    {
        Errno = errno;
    }

    public int Errno { get; }
}
