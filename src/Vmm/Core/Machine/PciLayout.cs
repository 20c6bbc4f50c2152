using Kvm.Vmm.Boot.Acpi;

namespace Kvm.Vmm.Machine;

/// <summary>
/// Where PCI lives in guest physical memory: ECAM and the 32-bit BAR window in the hole below 4 GiB, and a 64-bit
/// window above RAM. On the i440FX the hole starts at 3 GiB (<see cref="Boot.GuestLayout.PciHoleStart"/>) and ECAM
/// covers bus 0 at 0xE0000000; on the Q35 the hole starts at the MCH's ECAM window, 256 MiB at 0xB0000000, and the
/// 32-bit window is one range from 3 GiB up to the I/O APIC.
/// </summary>
public static class PciLayout
{
    public const ulong Window32Base = 0xc000_0000;
    public const ulong Window32Size = 0x2000_0000;

    /// <summary>ECAM (memory-mapped configuration) for bus 0: 1 MiB, reserved in the E820 map and named by MCFG.</summary>
    public const ulong EcamBase = 0xe000_0000;
    public const ulong EcamSize = 0x10_0000;

    /// <summary>
    /// The 32-bit window above ECAM, up to the I/O APIC at 0xFEC00000: where SeaBIOS places BARs (from the top down)
    /// when the machine boots through it. The ACPI _CRS offers it in every boot, as QEMU's machines do.
    /// </summary>
    public const ulong UpperWindow32Base = EcamBase + EcamSize;
    public const ulong UpperWindow32Size = 0xfec0_0000 - UpperWindow32Base;

    /// <summary>The Q35's ECAM: 256 MiB (buses 0 to 255) at the base QEMU's q35 firmware programs into PCIEXBAR.</summary>
    public const ulong Q35EcamBase = Pci.Q35HostBridge.DefaultEcamBase;
    public const ulong Q35EcamSize = 256 * Pci.PciEcam.BusSize;

    /// <summary>Where the 32-bit hole of the firmware and APIC area starts: no device window goes above it.</summary>
    public const ulong FirmwareAreaBase = 0xfec0_0000;

    /// <summary>The 64-bit window: 64 GiB from the first 1 GiB boundary above RAM (and above 4 GiB).</summary>
    public const ulong Window64Size = 64UL << 30;

    /// <summary>The first slot devices without an address get: slot 0 is the host bridge and slot 1 is kept free, as on QEMU's pc machine (its ISA bridge).</summary>
    public const byte FirstFreeSlot = 2;

    /// <summary>The Q35's ICH9 LPC bridge slot (00:1F), not given to other devices.</summary>
    public const byte Ich9Slot = 0x1f;

    /// <summary>The IOAPIC inputs PCI INTx lines are wired to: four, swizzled by slot (GSI 16 is the ACPI event device's).</summary>
    public const uint IntxGsiBase = 20;

    /// <summary>
    /// The GSI of the INTx <paramref name="pin"/> (0 INTA to 3 INTD) of a device in <paramref name="slot"/> of bus 0:
    /// the usual swizzle, (slot + pin) mod 4, over <see cref="IntxGsiBase"/>; the DSDT's _PRT says the same.
    /// </summary>
    public static uint IntxGsi(int slot, int pin) => IntxGsiBase + (uint)((slot + pin) & 3);

    public static ulong Window64Base(ulong ramEnd) => (Math.Max(ramEnd, Boot.GuestLayout.FourGiB) + (1UL << 30) - 1) & ~((1UL << 30) - 1);

    /// <summary>Where RAM below 4 GiB ends at the latest on <paramref name="chipset"/>.</summary>
    public static ulong HoleStart(Chipset chipset) => chipset switch
    {
        Chipset.I440fx => Boot.GuestLayout.PciHoleStart,
        Chipset.Q35 => Q35EcamBase,
    };

    /// <summary>The ECAM window of <paramref name="chipset"/> as firmware leaves it (and the E820 map reserves it).</summary>
    public static (ulong Base, ulong Size) Ecam(Chipset chipset) => chipset switch
    {
        Chipset.I440fx => (EcamBase, EcamSize),
        Chipset.Q35 => (Q35EcamBase, Q35EcamSize),
    };

    /// <summary>What the ACPI tables say about PCI on <paramref name="chipset"/> with RAM ending at <paramref name="ramEnd"/>.</summary>
    public static AcpiPci Acpi(Chipset chipset, ulong ramEnd) => chipset switch
    {
        Chipset.I440fx => new AcpiPci(EcamBase, Window32Base, Window32Size, Window64Base(ramEnd), Window64Size)
        {
            UpperWindow32Base = UpperWindow32Base,
            UpperWindow32Size = UpperWindow32Size,
        },
        Chipset.Q35 => new AcpiPci(Q35EcamBase, Window32Base, FirmwareAreaBase - Window32Base, Window64Base(ramEnd), Window64Size)
        {
            EcamEndBus = 255,
        },
    };
}
