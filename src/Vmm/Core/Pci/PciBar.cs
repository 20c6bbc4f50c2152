namespace Kvm.Vmm.Pci;

/// <summary>
/// One base address register of a device: its index (a 64-bit BAR also takes the next one), kind, size (a power of
/// two, at least 16 bytes for memory and 4 for I/O) and whether it is prefetchable.
/// </summary>
public sealed record PciBar(int Index, PciBarKind Kind, ulong Size, bool Prefetchable = false)
{
    public bool IsMemory => Kind != PciBarKind.Io;
}
