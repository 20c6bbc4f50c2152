using Kvm.Vmm.Devices;

namespace Kvm.Vmm.Hypervisor;

/// <summary>An interrupt line of the in-kernel PIC/IOAPIC, driven with KVM_IRQ_LINE.</summary>
public sealed class KvmIrqLine(IVm vm, uint gsi) : IInterruptLine
{
    public uint Gsi { get; } = gsi;

    public void Set(bool asserted) => vm.SetIrqLine(Gsi, asserted);
}
