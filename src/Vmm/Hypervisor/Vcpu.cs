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

    /// <summary>Enters the guest until it exits; <see cref="VcpuExit.Interrupted"/> when a signal or immediate_exit ended the run.</summary>
    public VcpuExit Run()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Libc.Ioctl(_fd, KvmIoctl.Run, 0) < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == Libc.EIntr)
            {
                return VcpuExit.Interrupted;
            }

            KvmThrow.LastError($"KVM_RUN on vCPU {Id}");
        }

        return (VcpuExit)_run->ExitReason;
    }

    /// <summary>The port access of the last <see cref="VcpuExit.Io"/> exit.</summary>
    public PortAccess Io
    {
        get
        {
            ref readonly var io = ref _run->Io;
            int length = io.Width * (int)io.Count;
            if (io.Width is not (1 or 2 or 4) || length > _mmapSize || (long)io.DataOffset > _mmapSize - length)
            {
                throw new KvmException($"vCPU {Id}: KVM reported a port access outside the kvm_run page");
            }

            return new PortAccess(io.Port, io.Width, io.Direction == KvmRunIo.Out,
                new Span<byte>((byte*)_run + (nint)io.DataOffset, length));
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

    internal void SetSpecialRegisters(in KvmSregs sregs)
    {
        fixed (KvmSregs* p = &sregs)
        {
            KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.SetSregs, p), "KVM_SET_SREGS");
        }
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
