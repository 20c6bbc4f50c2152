using Kvm.Vmm.Devices.Acpi;
using Kvm.Vmm.Pci;

namespace Kvm.Vmm.Devices.Piix;

/// <summary>
/// The PIIX4 power-management function at 00:01.3 (82371AB, 8086:7113), where firmware finds the ACPI PM timer: it
/// writes the I/O base of the PM block into PMBA (0x40) and sets PMIOSE in PMREGMISC (0x80), and the block of
/// <see cref="AcpiPmRegisters"/> then answers there (SeaBIOS puts it at 0x600, OVMF at 0xB000). The SMBus base (0x90)
/// and host configuration (0xD2) keep what firmware writes; no SMBus answers behind them.
/// </summary>
public sealed class PiixPowerManagement : IPciDevice
{
    public const ushort Device = 0x7113;
    public const int PmBase = 0x40; // PMBA, u32: bits 15:6 the base, bit 0 reads 1 (I/O space)
    public const int DeviceActivityB = 0x58; // DEVACTB, u32: bit 25 APMC_EN, SMI on writes to the APM control port
    public const int PmMisc = 0x80; // PMREGMISC: bit 0 PMIOSE, the PM block's I/O enable
    public const int SmbusBase = 0x90; // SMBBA, u32
    public const int SmbusHostConfig = 0xd2;

    private readonly PmBlockPlacement _placement;

    public PiixPowerManagement(IoBus ports, AcpiPmRegisters registers)
    {
        _placement = new PmBlockPlacement(ports, registers, "PIIX4");
        Config = new PciConfigSpace(PciHostBridge.IntelVendor, Device, 0x06_80_00, 0x03, 0x1af4, 0x1100);
        Config.SetInterruptPin(1);
        Config.DefineRegister(PmBase, [0x01, 0x00, 0x00, 0x00], [0xc0, 0xff, 0x00, 0x00]);
        Config.DefineRegister(PmMisc, [0x00], [0x01]);
        // APMC_EN reads as set and stays so: the machine has no SMM, and firmware (SeaBIOS) then takes SMM set-up as
        // done instead of raising an SMI that nothing would answer and waiting for it forever, as under QEMU with smm=off.
        Config.DefineRegister(DeviceActivityB, [0x00, 0x00, 0x00, 0x02], [0x00, 0x00, 0x00, 0x00]);
        Config.DefineRegister(SmbusBase, [0x01, 0x00, 0x00, 0x00], [0xf0, 0xff, 0x00, 0x00]);
        Config.DefineRegister(SmbusHostConfig, [0x00], [0x0f]);
    }

    public string Name => "PIIX4_PM";

    public PciConfigSpace Config { get; }

    /// <summary>The port the PM block answers at; 0 while firmware has not enabled it.</summary>
    public ushort MappedAt => _placement.MappedAt;

    public void ReadConfig(int offset, Span<byte> data) => Config.Read(offset, data);

    public void WriteConfig(int offset, ReadOnlySpan<byte> data)
    {
        Config.Write(offset, data);
        if (offset < PmBase + 4 && offset + data.Length > PmBase || offset <= PmMisc && offset + data.Length > PmMisc)
        {
            Remap();
        }
    }

    private void Remap() =>
        _placement.Place((Config.Get8(PmMisc) & 1) != 0 ? (ushort)(Config.Get32(PmBase) & 0xffc0) : (ushort)0);
}
