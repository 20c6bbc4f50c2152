namespace Kvm.Vmm.Pci;

/// <summary>
/// A function on the PCI bus, as its configuration space: accesses of 1, 2 or 4 bytes at an offset below 4096 (the
/// extended space of ECAM; the legacy 0xCF8 mechanism reaches the first 256 bytes). Called on vCPU threads with values
/// the guest chose: never throws on them.
/// </summary>
public interface IPciDevice
{
    /// <summary>The device's name in logs and in QMP query-pci (e.g. "virtio-blk-pci").</summary>
    string Name { get; }

    PciConfigSpace Config { get; }

    void ReadConfig(int offset, Span<byte> data);

    void WriteConfig(int offset, ReadOnlySpan<byte> data);
}
