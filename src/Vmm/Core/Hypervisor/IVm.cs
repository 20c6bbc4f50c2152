using Kvm.Vmm.Interop;
using Kvm.Vmm.Memory;

namespace Kvm.Vmm.Hypervisor;

/// <summary>
/// The hypervisor seam: what the machine, boot and device code need of a virtual machine. KVM
/// (<see cref="VirtualMachine"/>) is its one implementation; devices reach the guest's interrupts and doorbells only
/// through it, so a second backend would not touch them.
/// </summary>
public interface IVm
{
    /// <summary>Gives the guest every region of <paramref name="memory"/>.</summary>
    void MapMemory(GuestMemory memory);

    /// <summary>
    /// Gives the guest every region of <paramref name="memory"/> read-only (firmware ROM and flash code): guest reads
    /// come from it, guest writes do not change it and reach the VMM as MMIO writes.
    /// </summary>
    void MapReadOnlyMemory(GuestMemory memory);

    /// <summary>Raises or lowers an input of the interrupt controllers (a GSI).</summary>
    void SetIrqLine(uint gsi, bool asserted);

    /// <summary>Makes a signal of <paramref name="eventFd"/> raise <paramref name="gsi"/> (an edge), without a VMM exit.</summary>
    void AttachIrqfd(EventFd eventFd, uint gsi);

    void DetachIrqfd(EventFd eventFd, uint gsi);

    /// <summary>
    /// Makes guest writes of <paramref name="length"/> bytes to <paramref name="address"/> (memory, or a port when
    /// <paramref name="pio"/>) signal <paramref name="eventFd"/> instead of exiting to the VMM. False with the reason when
    /// the hypervisor cannot (the write then exits as usual).
    /// </summary>
    bool TryAttachIoeventfd(EventFd eventFd, ulong address, uint length, bool pio, out string? error);

    void DetachIoeventfd(EventFd eventFd, ulong address, uint length, bool pio);

    /// <summary>The GSI routing table: the interrupt controllers' pins and the MSI routes devices asked for.</summary>
    GsiRouter Routes { get; }
}
