using Kvm.Vmm.Pci;

namespace Kvm.Vmm.Devices.Piix;

/// <summary>
/// Function 0 of the PIIX south bridge at 00:01.0 (82371SB PIIX3 PCI-to-ISA bridge, 8086:7000), multi-function so
/// that software finds its power-management function at 00:01.3. Its PIRQ route registers (0x60-0x63) keep what
/// firmware writes; interrupts follow the ACPI _PRT, which is what operating systems use.
/// </summary>
public sealed class PiixIsaBridge : IPciDevice
{
    public const ushort Device = 0x7000;

    /// <summary>PIRQRC[A:D] (82371SB 2.2.9): 0x80 = routing disabled, the reset value.</summary>
    public const int PirqRoute = 0x60;

    public PiixIsaBridge()
    {
        Config = new PciConfigSpace(PciHostBridge.IntelVendor, Device, 0x06_01_00, 0x00, 0x1af4, 0x1100);
        Config.SetHeaderType(0x80);
        Config.DefineRegister(PirqRoute, [0x80, 0x80, 0x80, 0x80], [0x8f, 0x8f, 0x8f, 0x8f]);
    }

    public string Name => "PIIX3";

    public PciConfigSpace Config { get; }

    public void ReadConfig(int offset, Span<byte> data) => Config.Read(offset, data);

    public void WriteConfig(int offset, ReadOnlySpan<byte> data) => Config.Write(offset, data);
}
