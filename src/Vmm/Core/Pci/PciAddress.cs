namespace Kvm.Vmm.Pci;

/// <summary>A PCI function's address: bus, slot (device) and function, as libvirt's <c>&lt;address type='pci'&gt;</c> writes it.</summary>
public readonly record struct PciAddress(byte Bus, byte Slot, byte Function)
{
    public const int SlotsPerBus = 32;

    public override string ToString() => $"{Bus:x2}:{Slot:x2}.{Function:x}";
}
