using Kvm.Vmm.Interop;
using Kvm.Vmm.Memory;

namespace Kvm.Vmm.Hypervisor;

/// <summary>A KVM virtual machine (the VM file descriptor): memory slots, the in-kernel irqchip and PIT, vCPUs.</summary>
public sealed unsafe class VirtualMachine : IVm, IDisposable
{
    /// <summary>
    /// Where the VMX task-state area (three pages) and the identity-map page go: QEMU's addresses, below the 16 MiB
    /// below 4 GiB that firmware flash may take, and reserved in the firmware's memory map (<see cref="SystemAreaSize"/>).
    /// </summary>
    public const ulong TssAddress = 0xfeff_d000;
    public const ulong IdentityMapAddress = 0xfeff_c000;
    public const ulong SystemAreaSize = 0x4000;

    private const uint ReadOnlyFlag = 1 << 1; // KVM_MEM_READONLY

    private readonly KvmSystem _kvm;
    private readonly int _fd;

    private uint _nextSlot;
    private bool _disposed;

    internal VirtualMachine(KvmSystem kvm, int fd)
    {
        _kvm = kvm;
        _fd = fd;
        Routes = new GsiRouter(SetGsiRouting);
    }

    public GsiRouter Routes { get; }

    /// <summary>Places the TSS and identity map (needed before the first KVM_RUN on Intel; harmless on AMD).</summary>
    public void SetSystemAddresses()
    {
        KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.SetTssAddr, unchecked((nint)TssAddress)), "KVM_SET_TSS_ADDR");
        ulong identityMap = IdentityMapAddress;
        KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.SetIdentityMapAddr, &identityMap), "KVM_SET_IDENTITY_MAP_ADDR");
    }

    /// <summary>
    /// The in-kernel PIC, IOAPIC and LAPICs, and the PIT (KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2); with
    /// <paramref name="pitReinject"/> false the PIT drops the ticks the guest missed instead of delivering them late
    /// (KVM_REINJECT_CONTROL), as QEMU's <c>kvm-pit.lost_tick_policy=discard</c>.
    /// </summary>
    public void CreateInterruptControllers(bool pitReinject = true)
    {
        KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.CreateIrqchip, 0), "KVM_CREATE_IRQCHIP");
        var pit = new KvmPitConfig { Flags = KvmPitConfig.SpeakerDummy };
        KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.CreatePit2, &pit), "KVM_CREATE_PIT2");
        if (!pitReinject)
        {
            var control = default(KvmReinjectControl);
            KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.ReinjectControl, &control), "KVM_REINJECT_CONTROL");
        }
    }

    /// <summary>Gives the guest every region of <paramref name="memory"/>, one KVM memory slot each.</summary>
    public void MapMemory(GuestMemory memory) => Map(memory, 0);

    /// <summary>
    /// The same, read-only (KVM_MEM_READONLY): the guest's writes exit as MMIO writes and leave the memory as it is.
    /// </summary>
    public void MapReadOnlyMemory(GuestMemory memory)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_kvm.CheckExtension(KvmCapability.ReadonlyMem) <= 0)
        {
            throw new KvmException("KVM cannot map read-only memory (KVM_CAP_READONLY_MEM), which firmware needs", 0);
        }

        Map(memory, ReadOnlyFlag);
    }

    private void Map(GuestMemory memory, uint flags)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var region in memory.Regions)
        {
            var slot = new KvmUserspaceMemoryRegion
            {
                Slot = _nextSlot++,
                Flags = flags,
                GuestPhysAddr = region.GuestAddress,
                MemorySize = region.Size,
                UserspaceAddr = (ulong)region.HostAddress,
            };
            KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.SetUserMemoryRegion, &slot),
                $"KVM_SET_USER_MEMORY_REGION (slot {slot.Slot}, guest 0x{region.GuestAddress:x}, 0x{region.Size:x} bytes{(flags == 0 ? "" : ", read-only")})");
        }
    }

    /// <summary>Raises or lowers an input of the in-kernel interrupt controllers.</summary>
    public void SetIrqLine(uint gsi, bool asserted)
    {
        var level = new KvmIrqLevel { Irq = gsi, Level = asserted ? 1u : 0u };
        KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.IrqLine, &level), $"KVM_IRQ_LINE {gsi}");
    }

    public void AttachIrqfd(EventFd eventFd, uint gsi)
    {
        var irqfd = new KvmIrqfd { Fd = (uint)eventFd.Fd, Gsi = gsi };
        KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.Irqfd, &irqfd), $"KVM_IRQFD (GSI {gsi})");
    }

    public void DetachIrqfd(EventFd eventFd, uint gsi)
    {
        var irqfd = new KvmIrqfd { Fd = (uint)eventFd.Fd, Gsi = gsi, Flags = KvmIrqfd.FlagDeassign };
        _ = Libc.Ioctl(_fd, KvmIoctl.Irqfd, &irqfd);
    }

    public bool TryAttachIoeventfd(EventFd eventFd, ulong address, uint length, bool pio, out string? error)
    {
        var request = new KvmIoeventfd { Addr = address, Len = length, Fd = eventFd.Fd, Flags = pio ? KvmIoeventfd.FlagPio : 0 };
        if (Libc.Ioctl(_fd, KvmIoctl.Ioeventfd, &request) < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            error = $"KVM_IOEVENTFD at 0x{address:x}: {Libc.ErrorText(errno)}";
            return false;
        }

        error = null;
        return true;
    }

    public void DetachIoeventfd(EventFd eventFd, ulong address, uint length, bool pio)
    {
        var request = new KvmIoeventfd
        {
            Addr = address, Len = length, Fd = eventFd.Fd,
            Flags = KvmIoeventfd.FlagDeassign | (pio ? KvmIoeventfd.FlagPio : 0),
        };
        _ = Libc.Ioctl(_fd, KvmIoctl.Ioeventfd, &request);
    }

    /// <summary>KVM_SET_GSI_ROUTING with the whole table (struct kvm_irq_routing: nr, flags, then the entries).</summary>
    private void SetGsiRouting(ReadOnlySpan<KvmIrqRoutingEntry> entries)
    {
        int size = 8 + (entries.Length * KvmIrqRoutingEntry.Size);
        byte* buffer = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)size);
        try
        {
            // SAFETY: buffer holds the 8-byte header and every entry; the kernel reads exactly nr entries.
            *(uint*)buffer = (uint)entries.Length;
            entries.CopyTo(new Span<KvmIrqRoutingEntry>(buffer + 8, entries.Length));
            KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.SetGsiRouting, buffer), $"KVM_SET_GSI_ROUTING ({entries.Length} routes)");
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(buffer);
        }
    }

    public Vcpu CreateVcpu(int id)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int fd = KvmThrow.Check(Libc.Ioctl(_fd, KvmIoctl.CreateVcpu, id), $"KVM_CREATE_VCPU {id}");
        try
        {
            return new Vcpu(id, fd, _kvm.VcpuMmapSize);
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Libc.Close(_fd);
        }
    }
}
