namespace Kvm.Vmm.Boot.Acpi;

/// <summary>
/// A south bridge's ACPI PM block the FADT describes (a full, not hardware-reduced, ACPI machine): PM1a event at
/// <see cref="PmBase"/>, PM1a control at +4, the PM timer at +8 and GPE0 at <see cref="Gpe0Offset"/>, its SCI on ISA
/// IRQ <see cref="SciIrq"/>, and the PM1_CNT sleep type <see cref="S5SleepType"/> that powers the machine off (the
/// DSDT's _S5).
/// </summary>
public sealed record AcpiPm(ushort PmBase, byte SciIrq, byte S5SleepType, ushort Gpe0Offset, byte Gpe0Length);
