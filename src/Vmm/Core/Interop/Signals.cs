using System.Runtime.InteropServices;

namespace Kvm.Vmm.Interop;

/// <summary>
/// The real-time signal that kicks a vCPU thread out of KVM_RUN (QEMU's way, verified in ../shared/docs/nested-kvm.md):
/// blocked in the vCPU thread, unblocked only inside KVM_RUN through KVM_SET_SIGNAL_MASK, sent with tgkill, consumed
/// with sigtimedwait. SIGRTMIN+5: the .NET runtime uses SIGRTMIN itself. No signal handler is ever installed.
/// </summary>
internal static unsafe partial class Signals
{
    private const int SigBlock = 0;
    private const int SigSetBytes = 128; // glibc's sigset_t
    private const int KernelSigSetBytes = 8;

    [LibraryImport("libc", EntryPoint = "__libc_current_sigrtmin")]
    private static partial int CurrentSigRtMin();

    [LibraryImport("libc", EntryPoint = "pthread_sigmask")]
    private static partial int PthreadSigmask(int how, byte* set, byte* oldSet);

    [LibraryImport("libc", EntryPoint = "sigtimedwait", SetLastError = true)]
    private static partial int SigTimedWait(byte* set, nint info, long* timeout);

    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int GetThreadId();

    [LibraryImport("libc", EntryPoint = "getpid")]
    public static partial int GetProcessId();

    [LibraryImport("libc", EntryPoint = "tgkill", SetLastError = true)]
    public static partial int ThreadGroupKill(int tgid, int tid, int signal);

    public static int KickSignal { get; } = CurrentSigRtMin() + 5;

    /// <summary>
    /// Blocks the kick signal in the calling thread and returns the kernel-format mask (8 bytes) to give KVM:
    /// the thread's mask without the kick signal.
    /// </summary>
    public static byte[] BlockKickInThisThread()
    {
        byte* set = stackalloc byte[SigSetBytes];
        byte* old = stackalloc byte[SigSetBytes];
        new Span<byte>(set, SigSetBytes).Clear();
        AddSignal(set, KickSignal);
        if (PthreadSigmask(SigBlock, set, old) != 0)
        {
            throw new InvalidOperationException("pthread_sigmask failed");
        }

        var kvmMask = new byte[KernelSigSetBytes];
        new ReadOnlySpan<byte>(old, KernelSigSetBytes).CopyTo(kvmMask);
        kvmMask[(KickSignal - 1) / 8] &= (byte)~(1 << ((KickSignal - 1) % 8));
        return kvmMask;
    }

    /// <summary>Takes a pending kick signal, if any, without waiting.</summary>
    public static void ConsumeKick()
    {
        byte* set = stackalloc byte[SigSetBytes];
        new Span<byte>(set, SigSetBytes).Clear();
        AddSignal(set, KickSignal);
        long* zero = stackalloc long[2];
        zero[0] = zero[1] = 0;
        while (SigTimedWait(set, 0, zero) == KickSignal)
        {
        }
    }

    private static void AddSignal(byte* set, int signal) => set[(signal - 1) / 8] |= (byte)(1 << ((signal - 1) % 8));
}
