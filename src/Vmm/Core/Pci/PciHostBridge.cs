namespace Kvm.Vmm.Pci;

/// <summary>
/// The host bridge at 00:00.0: Red Hat's generic PCIe host bridge identity (1b36:0008, as QEMU's gpex), class 06 00 00.
/// Linux's type 1 probe looks for a host bridge on bus 0 before it trusts the mechanism.
/// </summary>
public sealed class PciHostBridge : IPciDevice
{
    public PciHostBridge() => Config = new PciConfigSpace(0x1b36, 0x0008, 0x06_00_00, 0, 0x1af4, 0x1100);

    public string Name => "pci-host-bridge";

    public PciConfigSpace Config { get; }

    public void ReadConfig(int offset, Span<byte> data) => Config.Read(offset, data);

    public void WriteConfig(int offset, ReadOnlySpan<byte> data) => Config.Write(offset, data);
}
