namespace Kvm.Vmm.Devices.Acpi;

/// <summary>
/// What tells one south bridge's ACPI PM I/O block from another's: its length, the PM1_CNT sleep type that means soft
/// off (S5), and, on ICH9, the SMI enable register with the value it reads as.
/// </summary>
public sealed record AcpiPmLayout(ushort Length, int SoftOffSleepType, int? SmiEnable = null, uint SmiEnableValue = 0)
{
    /// <summary>PIIX4 (82371AB 7.1): 64 ports; SLP_TYP 000 is soft off.</summary>
    public static AcpiPmLayout Piix4 { get; } = new(64, 0);

    /// <summary>
    /// ICH9 (ICH9 datasheet 13.8.3): 128 ports; SLP_TYP 111 is S5, soft off; SMI_EN at 0x30 with APMC_EN (bit 5) read
    /// as set and kept so: the machine has no SMM, and firmware (SeaBIOS) then takes SMM set-up as done instead of
    /// raising an SMI that nothing would answer, as it does on the PIIX4's DEVACTB.
    /// </summary>
    public static AcpiPmLayout Ich9 { get; } = new(128, 7, 0x30, 1u << 5);

    /// <summary>ICH9's general-purpose event block (GPE0_STS and GPE0_EN), at PMBASE + 0x20, 16 bytes.</summary>
    public const ushort Ich9Gpe0Offset = 0x20;
    public const byte Ich9Gpe0Length = 0x10;
}
