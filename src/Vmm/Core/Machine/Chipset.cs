namespace Kvm.Vmm.Machine;

/// <summary>The chipset a PC machine is built on, as QEMU's two x86 PC machines have them.</summary>
public enum Chipset
{
    /// <summary>QEMU's pc: the i440FX host bridge, the PIIX3 ISA bridge at 00:01.0 and PIIX4 power management at 00:01.3; ECAM for bus 0 at 0xE0000000.</summary>
    I440fx,

    /// <summary>
    /// QEMU's q35: the Q35 MCH host bridge (ECAM where PCIEXBAR puts it, 256 MiB at 0xB0000000 as firmware programs
    /// it) and the ICH9 LPC bridge at 00:1F.0 with its ACPI PM block; RAM below 4 GiB ends at the ECAM window.
    /// </summary>
    Q35,
}
