namespace Kvm.Vmm.Pci;

/// <summary>What a base address register decodes: I/O ports, or memory with a 32- or 64-bit address.</summary>
public enum PciBarKind
{
    Io,
    Memory32,
    Memory64,
}
