namespace Kvm.Vmm.Boot.Acpi;

/// <summary>
/// What the ACPI tables say about PCI: ECAM for buses 0 to <see cref="EcamEndBus"/> (MCFG) and the host bridge's memory
/// windows (_CRS): one below ECAM, where the VMM places BARs itself, the optional one above it up to the I/O APIC, where
/// firmware (SeaBIOS) places them from the top down, and one above 4 GiB.
/// </summary>
public sealed record AcpiPci(ulong EcamBase, ulong Window32Base, ulong Window32Size, ulong Window64Base, ulong Window64Size)
{
    public ulong UpperWindow32Base { get; init; }

    /// <summary>0: no upper 32-bit window.</summary>
    public ulong UpperWindow32Size { get; init; }

    /// <summary>The last bus ECAM covers (0 on the i440FX, 255 on the Q35).</summary>
    public byte EcamEndBus { get; init; }

    /// <summary>The ECAM window's size: 1 MiB per bus.</summary>
    public ulong EcamSize => ((ulong)EcamEndBus + 1) << 20;
}
