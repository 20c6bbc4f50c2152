using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Hypervisor;

/// <summary>
/// One virtual CPU: its file descriptor and the kvm_run page shared with KVM. <see cref="Run"/> enters the guest and
/// returns why it left; the exit details are read from the shared page until the next run.
/// </summary>
public sealed unsafe class Vcpu : IDisposable
{
    private readonly int _fd;
    private readonly int _mmapSize;
    private readonly KvmRun* _run;
    private bool _disposed;

    internal Vcpu(int id, int fd, int mmapSize)
    {
        if (mmapSize < KvmRun.Size)
        {
            throw new KvmException($"KVM's vCPU mapping is {mmapSize} bytes, smaller than struct kvm_run ({KvmRun.Size})");
        }

        nint run = Libc.Mmap(0, (nuint)mmapSize, Libc.ProtRead | Libc.ProtWrite, Libc.MapShared, fd, 0);
        if (run == Libc.MapFailed)
        {
            KvmThrow.LastError($"cannot map vCPU {id}'s kvm_run");
        }

        Id = id;
        _fd = fd;
        _mmapSize = mmapSize;
        _run = (KvmRun*)run;
    }

    public int Id { get; }

    /// <summary>The Linux thread running this vCPU, once <see cref="BindToCurrentThread"/> was called (0 before).</summary>
    public int ThreadId { get; private set; }

    /// <summary>
    /// Makes the calling thread this vCPU's thread: the kick signal is blocked in it and let through only inside
    /// KVM_RUN, so <see cref="Kick"/> interrupts a run without a signal handler.
    /// </summary>
    public void BindToCurrentThread()
    {
        byte[] mask = Signals.BlockKickInThisThread();
        byte* buffer = stackalloc byte[4 + 8];
        *(uint*)buffer = 8;
        mask.CopyTo(new Span<byte>(buffer + 4, 8));
        KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.SetSignalMask, buffer), "KVM_SET_SIGNAL_MASK");
        ThreadId = Signals.GetThreadId();
    }

    /// <summary>
    /// Makes the current or next <see cref="Run"/> return <see cref="VcpuExit.Interrupted"/> soon. Any thread may call it.
    /// </summary>
    public void Kick()
    {
        Volatile.Write(ref _run->ImmediateExit, 1);
        if (ThreadId != 0)
        {
            Signals.ThreadGroupKill(Signals.GetProcessId(), ThreadId, Signals.KickSignal);
        }
    }

    /// <summary>Enters the guest until it exits; <see cref="VcpuExit.Interrupted"/> when a signal or immediate_exit ended the run.</summary>
    public VcpuExit Run()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (Libc.Ioctl(_fd, KvmIoctl.Run, 0) < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == Libc.EAgain)
            {
                // A secondary vCPU woken from its wait for INIT/SIPI: KVM asks to be called again.
                continue;
            }

            if (errno == Libc.EIntr)
            {
                Volatile.Write(ref _run->ImmediateExit, 0);
                Signals.ConsumeKick();
                return VcpuExit.Interrupted;
            }

            KvmThrow.LastError($"KVM_RUN on vCPU {Id}");
        }

        return (VcpuExit)_run->ExitReason;
    }

    /// <summary>The kvm_run mapping, where the last exit's details are (valid until the next <see cref="Run"/>).</summary>
    public KvmRunView RunPage
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // SAFETY: _run maps _mmapSize bytes (at least struct kvm_run, checked in the constructor) until Dispose,
            // which the machine calls after the vCPU's thread has left its run loop; the view lives no longer than one exit.
            return new KvmRunView(new Span<byte>(_run, _mmapSize));
        }
    }

    internal KvmRegs GetRegisters()
    {
        KvmRegs regs;
        KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.GetRegs, &regs), "KVM_GET_REGS");
        return regs;
    }

    internal void SetRegisters(in KvmRegs regs)
    {
        fixed (KvmRegs* p = &regs)
        {
            KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.SetRegs, p), "KVM_SET_REGS");
        }
    }

    internal KvmSregs GetSpecialRegisters()
    {
        KvmSregs sregs;
        KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.GetSregs, &sregs), "KVM_GET_SREGS");
        return sregs;
    }

    /// <summary>
    /// The registers that say where a guest was and in which mode (instruction pointer, code and stack segments, control
    /// registers, descriptor tables), for the log of a triple fault or an internal error; best effort, never throws.
    /// </summary>
    public string DescribeState()
    {
        try
        {
            var r = GetRegisters();
            var s = GetSpecialRegisters();
            return FormattableString.Invariant(
                $"rip=0x{r.Rip:x} rsp=0x{r.Rsp:x} rflags=0x{r.Rflags:x} cs=0x{s.Cs.Selector:x}(base 0x{s.Cs.Base:x} limit 0x{s.Cs.Limit:x} db {s.Cs.Db} l {s.Cs.L}) ss=0x{s.Ss.Selector:x}(base 0x{s.Ss.Base:x}) ") +
                FormattableString.Invariant(
                $"cr0=0x{s.Cr0:x} cr2=0x{s.Cr2:x} cr3=0x{s.Cr3:x} cr4=0x{s.Cr4:x} efer=0x{s.Efer:x} gdt=0x{s.Gdt.Base:x}/0x{s.Gdt.Limit:x} idt=0x{s.Idt.Base:x}/0x{s.Idt.Limit:x} rax=0x{r.Rax:x} rbx=0x{r.Rbx:x} rcx=0x{r.Rcx:x} rdx=0x{r.Rdx:x}");
        }
        catch (KvmException e)
        {
            return $"registers unavailable: {e.Message}";
        }
    }

    internal void SetSpecialRegisters(in KvmSregs sregs)
    {
        fixed (KvmSregs* p = &sregs)
        {
            KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.SetSregs, p), "KVM_SET_SREGS");
        }
    }

    /// <summary>Gives the vCPU its CPUID leaves (KVM_SET_CPUID2).</summary>
    internal void SetCpuid(ReadOnlySpan<KvmCpuidEntry2> entries)
    {
        byte[] buffer = new byte[KvmCpuid2.HeaderSize + entries.Length * KvmCpuidEntry2.Size];
        fixed (byte* p = buffer)
        {
            ((KvmCpuid2*)p)->Count = (uint)entries.Length;
            entries.CopyTo(new Span<KvmCpuidEntry2>(p + KvmCpuid2.HeaderSize, entries.Length));
            KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.SetCpuid2, p), "KVM_SET_CPUID2");
        }
    }

    /// <summary>Sets model-specific registers (KVM_SET_MSRS); all of them must be accepted.</summary>
    internal void SetMsrs(ReadOnlySpan<KvmMsrEntry> msrs)
    {
        byte[] buffer = new byte[8 + msrs.Length * KvmMsrEntry.Size];
        fixed (byte* p = buffer)
        {
            *(uint*)p = (uint)msrs.Length;
            msrs.CopyTo(new Span<KvmMsrEntry>(p + 8, msrs.Length));
            int set = KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.SetMsrs, p), "KVM_SET_MSRS");
            if (set != msrs.Length)
            {
                throw new KvmException($"KVM_SET_MSRS on vCPU {Id} set {set} of {msrs.Length} MSRs; MSR 0x{msrs[set].Index:x} was refused");
            }
        }
    }

    /// <summary>
    /// Wires the local APIC's LINT0 to the PIC (ExtINT) and LINT1 to NMI, as a PC's firmware leaves them for a kernel
    /// that starts in virtual-wire mode.
    /// </summary>
    internal void SetLocalInterruptPins()
    {
        const int lint0 = 0x350, lint1 = 0x360;
        const uint deliveryModeMask = 0x700, extInt = 0x700, nmi = 0x400;
        KvmLapicState lapic;
        KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.GetLapic, &lapic), "KVM_GET_LAPIC");
        uint* l0 = (uint*)(lapic.Registers + lint0);
        uint* l1 = (uint*)(lapic.Registers + lint1);
        *l0 = (*l0 & ~deliveryModeMask) | extInt;
        *l1 = (*l1 & ~deliveryModeMask) | nmi;
        KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.SetLapic, &lapic), "KVM_SET_LAPIC");
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Libc.Munmap((nint)_run, (nuint)_mmapSize);
            Libc.Close(_fd);
        }
    }
}
