using System.Buffers.Binary;
using System.Text;
using Kvm.Vmm.Memory;

namespace Kvm.Vmm.Boot.Acpi;

/// <summary>
/// The ACPI tables of a hardware-reduced machine, written by us: RSDP → XSDT → FADT (HW_REDUCED_ACPI, sleep control
/// and status registers on I/O ports), DSDT (an _S5 package so the guest can power off), and MADT (one local APIC per
/// vCPU and the I/O APIC). The guest powers off by writing SLP_TYP 5 with SLP_EN to the sleep control register.
/// </summary>
public static partial class AcpiTables
{
    /// <summary>Where the RSDP goes: the BIOS area Linux scans for "RSD PTR " (0xe0000-0xfffff).</summary>
    public const ulong RsdpAddress = 0xe0000;

    public const ushort SleepControlPort = 0x6f0;
    public const ushort SleepStatusPort = 0x6f1;

    /// <summary>The _S5 sleep type the DSDT declares; the guest writes it back to power off.</summary>
    public const byte S5SleepType = 5;

    /// <summary>The GSI of the generic event device (ACPI0013) that carries the power button to the guest.</summary>
    public const uint PowerButtonGsi = 16;

    /// <summary>Notify value for a power button press (ACPI 6.4, 4.8.3.1.1.2).</summary>
    private const byte NotifyPowerButton = 0x80;

    public const uint LocalApicAddress = 0xfee0_0000;
    public const uint IoApicAddress = 0xfec0_0000;

    private const int RsdpSize = 36;

    /// <summary>Writes all tables from <see cref="RsdpAddress"/> on; returns the address after the last one.</summary>
    /// <remarks>
    /// With <paramref name="pm"/> the machine is a full ACPI one (the Q35's ICH9): the FADT points at that PM block, its
    /// SCI and the reset register, and a FACS goes with it; without, it is hardware-reduced.
    /// </remarks>
    public static ulong Write(GuestMemory memory, IReadOnlyList<int> apicIds, AcpiPci? pci = null, AcpiPm? pm = null)
    {
        ulong next = RsdpAddress + 64;
        ulong Place(byte[] table)
        {
            ulong at = next;
            memory.Write(at, table);
            next = (at + (ulong)table.Length + 15) & ~15UL;
            return at;
        }

        ulong facs = 0;
        if (pm is not null)
        {
            next = (next + 63) & ~63UL; // the FACS is 64-byte aligned
            facs = Place(Facs());
        }

        ulong dsdt = Place(Dsdt(pci, pm));
        ulong fadt = Place(Fadt(dsdt, pm, (uint)facs));
        ulong madt = Place(Madt(apicIds, pm));
        var xsdtTable = new AcpiTable("XSDT", 1).Append64(fadt).Append64(madt);
        if (pci is not null)
        {
            xsdtTable.Append64(Place(Mcfg(pci)));
        }

        ulong xsdt = Place(xsdtTable.ToArray());
        memory.Write(RsdpAddress, Rsdp(xsdt));
        return next;
    }

    private static byte[] Rsdp(ulong xsdt)
    {
        var rsdp = new byte[RsdpSize];
        Encoding.ASCII.GetBytes("RSD PTR ").CopyTo(rsdp, 0);
        Encoding.ASCII.GetBytes(AcpiTable.OemId).CopyTo(rsdp, 9);
        rsdp[15] = 2; // ACPI 2.0+: the XSDT is used
        BinaryPrimitives.WriteUInt32LittleEndian(rsdp.AsSpan(20), RsdpSize);
        BinaryPrimitives.WriteUInt64LittleEndian(rsdp.AsSpan(24), xsdt);
        rsdp[8] = AcpiTable.Checksum(rsdp.AsSpan(0, 20));
        rsdp[32] = AcpiTable.Checksum(rsdp);
        return rsdp;
    }

    /// <summary>
    /// DSDT, in AML: <c>Name (_S5, Package (2) { 5, 5 })</c>; COM1 as a PNP0501 device under <c>\_SB</c> with its
    /// ports and IRQ 4, so that a hardware-reduced guest (no legacy PIC) routes the UART's interrupt through the I/O
    /// APIC; QEMU's fw_cfg (QEMU0002) on its twelve ports, as QEMU describes it (Linux's qemu_fw_cfg finds it there);
    /// and the power button: a PNP0C0C device and a generic event device (ACPI0013) on <see cref="PowerButtonGsi"/>,
    /// whose <c>_EVT</c> notifies the button. A hardware-reduced machine has no fixed-feature button, so this is how
    /// the host's power-down request reaches the guest (Linux's evged and button drivers).
    /// </summary>
    private static byte[] Dsdt(AcpiPci? pci, AcpiPm? pm)
    {
        byte s5 = pm?.S5SleepType ?? S5SleepType;
        return new AcpiTable("DSDT", 2).Append(Aml.Name("_S5_", Aml.Package(Aml.Byte(s5), Aml.Byte(s5))))
            .Append(Aml.Scope("_SB_", [.. PciDevices(pci),
                Aml.Device("COM1",
                    Aml.Name("_HID", Aml.EisaId("PNP0501")),
                    Aml.Name("_UID", Aml.Byte(1)),
                    Aml.Name("_CRS", Aml.Buffer(Aml.IoPort(0x3f8, 8), Aml.Irq(4), Aml.EndTag()))),
                Aml.Device("FWCF",
                    Aml.Name("_HID", Aml.String("QEMU0002")),
                    Aml.Name("_STA", Aml.Byte(0x0b)),
                    Aml.Name("_CRS", Aml.Buffer(Aml.IoPort(Devices.FwCfg.FwCfgDevice.IoBase, (byte)Devices.FwCfg.FwCfgDevice.IoSize), Aml.EndTag()))),
                Aml.Device("PWRB",
                    Aml.Name("_HID", Aml.EisaId("PNP0C0C")),
                    Aml.Name("_UID", Aml.Byte(0))),
                Aml.Device("GED0",
                    Aml.Name("_HID", Aml.String("ACPI0013")),
                    Aml.Name("_UID", Aml.Byte(0)),
                    Aml.Name("_CRS", Aml.Buffer(Aml.ExtendedInterrupt(PowerButtonGsi), Aml.EndTag())),
                    Aml.Method("_EVT", 1, Aml.Notify("_SB_", "PWRB", NotifyPowerButton)))]))
            .ToArray();
    }

    /// <summary>
    /// The PCI Express host bridge (PNP0A08, compatible with PNP0A03) for segment 0, bus 0, whose _CRS gives the bus, the
    /// I/O ports around the configuration ports and the two memory windows; and a motherboard resource (PNP0C02) that
    /// reserves ECAM, where Linux looks before it trusts MCFG. Its _PRT routes each slot's INTx pins to IOAPIC inputs.
    /// </summary>
    /// <summary>
    /// _PRT for bus 0 (ACPI 6.4, 6.2.13): for each slot 1 to 31 and pin INTA to INTD, a package {address 0xSSSSFFFF,
    /// pin, source 0, GSI}: static routing to a global system interrupt, as <see cref="Machine.PciLayout.IntxGsi"/>
    /// wires it (level-triggered, active-low, as PCI interrupts are).
    /// </summary>
    private static byte[] IntxRouting()
    {
        var entries = new List<byte[]>();
        for (int slot = 1; slot < Pci.PciAddress.SlotsPerBus; slot++)
        {
            for (int pin = 0; pin < 4; pin++)
            {
                entries.Add(Aml.Package(Aml.DWord(((uint)slot << 16) | 0xffff), Aml.Byte((byte)pin), Aml.Byte(0),
                    Aml.Byte((byte)Machine.PciLayout.IntxGsi(slot, pin))));
            }
        }

        return Aml.Package([.. entries]);
    }

    private static byte[][] PciDevices(AcpiPci? pci)
    {
        if (pci is null)
        {
            return [];
        }

        return
        [
            Aml.Device("PCI0",
                Aml.Name("_HID", Aml.EisaId("PNP0A08")),
                Aml.Name("_CID", Aml.EisaId("PNP0A03")),
                Aml.Name("_SEG", Aml.Byte(0)),
                Aml.Name("_BBN", Aml.Byte(0)),
                Aml.Name("_UID", Aml.Byte(0)),
                Aml.Name("_CRS", Aml.Buffer(
                    Aml.WordBusNumber(0, 0),
                    Aml.IoPort(0xcf8, 8),
                    Aml.WordIo(0x0000, 0x0cf7),
                    Aml.WordIo(0x0d00, 0xffff),
                    Aml.DWordMemory((uint)pci.Window32Base, (uint)pci.Window32Size),
                    pci.UpperWindow32Size == 0 ? [] : Aml.DWordMemory((uint)pci.UpperWindow32Base, (uint)pci.UpperWindow32Size),
                    Aml.QWordMemory(pci.Window64Base, pci.Window64Size),
                    Aml.EndTag())),
                Aml.Name("_PRT", IntxRouting())),
            Aml.Device("RES0",
                Aml.Name("_HID", Aml.EisaId("PNP0C02")),
                Aml.Name("_UID", Aml.Byte(0)),
                Aml.Name("_CRS", Aml.Buffer(Aml.Memory32Fixed((uint)pci.EcamBase, (uint)pci.EcamSize), Aml.EndTag()))),
        ];
    }

    /// <summary>MCFG (PCI Firmware 3.2, 4.1.2): one ECAM allocation, segment 0, buses 0 to <see cref="AcpiPci.EcamEndBus"/>.</summary>
    private static byte[] Mcfg(AcpiPci pci)
    {
        var mcfg = new AcpiTable("MCFG", 1);
        mcfg.Append64(0); // reserved
        mcfg.Append64(pci.EcamBase).Append16(0).Append8(0).Append8(pci.EcamEndBus).Append32(0);
        return mcfg.ToArray();
    }

    /// <summary>
    /// MADT: the local APIC address, one enabled processor local APIC per vCPU (ACPI processor id = vCPU index), and
    /// the I/O APIC at GSI 0 with the id after the highest APIC id.
    /// </summary>
    private static byte[] Madt(IReadOnlyList<int> apicIds, AcpiPm? pm)
    {
        const byte processorLocalApic = 0, ioApic = 1;
        const uint enabled = 1;
        var madt = new AcpiTable("APIC", 5);
        madt.Append32(LocalApicAddress);
        madt.Append32(0); // flags: no dual 8259 (the machine has no legacy PIC wired)
        for (int index = 0; index < apicIds.Count; index++)
        {
            madt.Append8(processorLocalApic).Append8(8).Append8((byte)index).Append8((byte)apicIds[index]).Append32(enabled);
        }

        madt.Append8(ioApic).Append8(12).Append8((byte)(apicIds.Max() + 1)).Append8(0).Append32(IoApicAddress).Append32(0);
        if (pm is not null)
        {
            // Interrupt source override (ACPI 6.4, 5.2.12.5): the SCI's ISA IRQ on the same GSI, level-triggered and
            // active high, as the chipset raises it (MPS INTI flags: polarity 01 high, trigger 11 level).
            const byte interruptSourceOverride = 2;
            madt.Append8(interruptSourceOverride).Append8(10).Append8(0).Append8(pm.SciIrq).Append32(pm.SciIrq).Append16(0x000d);
        }
        return madt.ToArray();
    }
}
