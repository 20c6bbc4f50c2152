namespace Kvm.Vmm.Machine;

/// <summary>
/// Where PCI lives in guest physical memory: ECAM for bus 0 and the 32-bit BAR window in the hole below 4 GiB, and a
/// 64-bit window above RAM. The hole starts at 3 GiB (<see cref="Boot.GuestLayout.PciHoleStart"/>).
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

    /// <summary>The 64-bit window: 64 GiB from the first 1 GiB boundary above RAM (and above 4 GiB).</summary>
    public const ulong Window64Size = 64UL << 30;

    /// <summary>The first slot devices without an address get: slot 0 is the host bridge and slot 1 is kept free, as on QEMU's pc machine (its ISA bridge).</summary>
    public const byte FirstFreeSlot = 2;

    /// <summary>The IOAPIC inputs PCI INTx lines are wired to: four, swizzled by slot (GSI 16 is the ACPI event device's).</summary>
    public const uint IntxGsiBase = 20;

    /// <summary>
    /// The GSI of the INTx <paramref name="pin"/> (0 INTA to 3 INTD) of a device in <paramref name="slot"/> of bus 0:
    /// the usual swizzle, (slot + pin) mod 4, over <see cref="IntxGsiBase"/>; the DSDT's _PRT says the same.
    /// </summary>
    public static uint IntxGsi(int slot, int pin) => IntxGsiBase + (uint)((slot + pin) & 3);

    public static ulong Window64Base(ulong ramEnd) => (Math.Max(ramEnd, Boot.GuestLayout.FourGiB) + (1UL << 30) - 1) & ~((1UL << 30) - 1);
}
