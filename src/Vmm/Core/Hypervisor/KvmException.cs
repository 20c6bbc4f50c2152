namespace Kvm.Vmm.Hypervisor;

/// <summary>A KVM call failed: what was attempted, and the errno the kernel gave (0 when the failure was ours).</summary>
public sealed class KvmException : Exception
{
    public KvmException(string message, int errno = 0)
        : base(message)
    {
        Errno = errno;
    }

    public int Errno { get; }
}
