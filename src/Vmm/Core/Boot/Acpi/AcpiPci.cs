namespace Kvm.Vmm.Boot.Acpi;

/// <summary>
/// What the ACPI tables say about PCI: ECAM for bus 0 (MCFG) and the host bridge's memory windows (_CRS): one below
/// ECAM, where the VMM places BARs itself, the optional one above it up to the I/O APIC, where firmware (SeaBIOS)
/// places them from the top down, and one above 4 GiB.
/// </summary>
public sealed record AcpiPci(ulong EcamBase, ulong Window32Base, ulong Window32Size, ulong Window64Base, ulong Window64Size)
{
    public ulong UpperWindow32Base { get; init; }

    /// <summary>0: no upper 32-bit window.</summary>
    public ulong UpperWindow32Size { get; init; }
}
