using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Memory;

/// <summary>Giving guest pages back to the host (the balloon's inflate), with the same bounds as every other access.</summary>
public sealed unsafe partial class GuestMemory
{
    /// <summary>
    /// Releases the host pages behind [address, address + length) with MADV_DONTNEED: the host frees them at once and
    /// the guest reads zeros there if it touches them again. False, and nothing released, unless the range is whole host
    /// pages wholly within one region (an address the guest made up is refused here, never followed).
    /// </summary>
    public bool TryDiscard(ulong address, ulong length)
    {
        ulong page = (ulong)Environment.SystemPageSize;
        if (length == 0 || address % page != 0 || length % page != 0 || !TryGetPointer(address, length, out byte* p))
        {
            return false;
        }

        // SAFETY: [p, p + length) is whole pages of one live region mapping (checked above); MADV_DONTNEED on a private
        // anonymous mapping only drops its contents, which KVM's MMU notifier follows.
        return Libc.Madvise((nint)p, (nuint)length, Libc.MadvDontNeed) == 0;
    }
}
