namespace Kvm.Vmm.Boot.Acpi;

/// <summary>What the ACPI tables say about PCI: ECAM for bus 0 (MCFG) and the host bridge's memory windows (_CRS).</summary>
public sealed record AcpiPci(ulong EcamBase, ulong Window32Base, ulong Window32Size, ulong Window64Base, ulong Window64Size);
