using System.Buffers.Binary;
using Kvm.Vmm.Devices.Acpi;
using Kvm.Vmm.Pci;
using NLog;

namespace Kvm.Vmm.Devices.Ich9;

/// <summary>
/// The LPC interface bridge of a Q35 machine's ICH9 at 00:1F.0 (82801IB, 8086:2918), where firmware finds the ACPI
/// PM block: it writes the block's I/O base into PMBASE (ICH9 datasheet 13.1.10, 0x40) and sets ACPI_EN in ACPI_CNTL
/// (13.1.11, 0x44), and <see cref="AcpiPmRegisters"/> (ICH9 layout, 128 ports: PM1 at +0, the PM timer at +8, GPE0 at
/// +0x20) then answers there (SeaBIOS puts it at 0x600). The PIRQ route registers (13.1.13-14, 0x60-0x63 and
/// 0x68-0x6B) and RCBA (13.1.37, 0xF0) keep what firmware writes; interrupts follow the ACPI _PRT, and no chipset
/// configuration registers answer behind RCBA. Its SCI goes to IRQ 9, as ACPI_CNTL's reset value selects.
/// </summary>
public sealed class Ich9LpcBridge : IPciDevice
{
    public const ushort Device = 0x2918;

    public const int PmBase = 0x40; // PMBASE, u32: bits 15:7 the base, bit 0 reads 1 (I/O space)
    public const int AcpiControl = 0x44; // ACPI_CNTL: bit 7 ACPI_EN, bits 2:0 SCI_IRQ_SEL (000: IRQ 9)
    public const byte AcpiEnable = 0x80;
    public const int PirqRouteA = 0x60; // PIRQ[A-D]_ROUT
    public const int PirqRouteE = 0x68; // PIRQ[E-H]_ROUT
    public const int RootComplexBase = 0xf0; // RCBA, u32: bits 31:14 the base, bit 0 enable

    /// <summary>The PM block's base QEMU's q35 firmware uses, and the one the VMM programs for a direct kernel boot.</summary>
    public const ushort DefaultPmBase = 0x600;

    /// <summary>The SCI's ISA interrupt with ACPI_CNTL's SCI_IRQ_SEL at its reset value.</summary>
    public const byte SciIrq = 9;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly PmBlockPlacement _placement;

    public Ich9LpcBridge(IoBus ports, AcpiPmRegisters registers)
    {
        _placement = new PmBlockPlacement(ports, registers, "ICH9");
        Config = new PciConfigSpace(PciHostBridge.IntelVendor, Device, 0x06_01_00, 0x02, 0x1af4, 0x1100);
        Config.SetHeaderType(0x80);
        Config.DefineRegister(PmBase, [0x01, 0x00, 0x00, 0x00], [0x80, 0xff, 0x00, 0x00]);
        Config.DefineRegister(AcpiControl, [0x00], [0x87]);
        Config.DefineRegister(PirqRouteA, [0x80, 0x80, 0x80, 0x80], [0x8f, 0x8f, 0x8f, 0x8f]);
        Config.DefineRegister(PirqRouteE, [0x80, 0x80, 0x80, 0x80], [0x8f, 0x8f, 0x8f, 0x8f]);
        Config.DefineRegister(RootComplexBase, [0x00, 0x00, 0x00, 0x00], [0x01, 0xc0, 0xff, 0xff]);
    }

    public string Name => "ICH9-LPC";

    public PciConfigSpace Config { get; }

    /// <summary>The port the PM block answers at; 0 while firmware has not enabled it.</summary>
    public ushort MappedAt => _placement.MappedAt;

    public void ReadConfig(int offset, Span<byte> data) => Config.Read(offset, data);

    public void WriteConfig(int offset, ReadOnlySpan<byte> data)
    {
        Config.Write(offset, data);
        if (s_log.IsDebugEnabled && data.Length <= 4)
        {
            Span<byte> value = stackalloc byte[4];
            data.CopyTo(value);
            s_log.Debug("ICH9 LPC config write at 0x{Offset:x2}: 0x{Value:x}", offset, BinaryPrimitives.ReadUInt32LittleEndian(value));
        }

        if (offset < PmBase + 4 && offset + data.Length > PmBase || offset <= AcpiControl && offset + data.Length > AcpiControl)
        {
            _placement.Place((Config.Get8(AcpiControl) & AcpiEnable) != 0 ? (ushort)(Config.Get32(PmBase) & 0xff80) : (ushort)0);
        }
    }
}
