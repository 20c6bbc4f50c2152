using Kvm.Vmm.Boot.Acpi;
using Kvm.Vmm.Devices;
using Kvm.Vmm.Devices.Acpi;
using Kvm.Vmm.Devices.Ich9;
using Kvm.Vmm.Devices.Piix;
using Kvm.Vmm.Pci;

namespace Kvm.Vmm.Machine;

/// <summary>The chipset's functions on bus 0, its configuration ports and its ECAM.</summary>
internal sealed partial class PciDevices
{
    /// <summary>The Q35's chipset functions once the machine is built (null on the i440FX).</summary>
    public Q35HostBridge? Mch { get; private set; }

    public Ich9LpcBridge? Lpc { get; private set; }

    public EcamWindow? Ecam { get; private set; }

    /// <summary>The PM block the FADT describes on <paramref name="chipset"/>: the ICH9's on the Q35; none (hardware-reduced ACPI) on the i440FX.</summary>
    public static AcpiPm? AcpiPmOf(Chipset chipset) => chipset switch
    {
        Chipset.I440fx => null,
        Chipset.Q35 => new AcpiPm(Ich9LpcBridge.DefaultPmBase, Ich9LpcBridge.SciIrq, (byte)AcpiPmLayout.Ich9.SoftOffSleepType,
            AcpiPmLayout.Ich9Gpe0Offset, AcpiPmLayout.Ich9Gpe0Length),
    };

    private void AddChipset(MachineConfig config, IoBus ports, Action<MachineExit>? end)
    {
        ports.Register(PciConfigPorts.BasePort, PciConfigPorts.PortCount,
            new PciConfigPorts(Bus, () => end?.Invoke(new MachineExit(MachineExitReason.GuestReset, "reset through the reset control register (0xCF9)"))));
        switch (config.Chipset)
        {
            case Chipset.I440fx:
                Bus.Add(0, new PciHostBridge());
                Bus.Add(ChipsetSlot, 0, new PiixIsaBridge());
                var piixPm = new AcpiPmRegisters(new AcpiPmTimer(), () => end?.Invoke(new MachineExit(MachineExitReason.GuestShutdown, "ACPI power-off (PIIX4 PM1 control)")));
                Bus.Add(ChipsetSlot, PowerManagementFunction, new PiixPowerManagement(ports, piixPm));
                _mmio.Register(PciLayout.EcamBase, PciLayout.EcamSize, new PciEcam(Bus));
                break;
            case Chipset.Q35:
                // ECAM may go anywhere the guest likes except over RAM and the firmware and APIC area below 4 GiB.
                (ulong, ulong)[] forbidden = [.. _memory.Regions.Select(r => (r.GuestAddress, r.End - r.GuestAddress)),
                    (PciLayout.FirmwareAreaBase, Boot.GuestLayout.FourGiB - PciLayout.FirmwareAreaBase)];
                Ecam = new EcamWindow(_mmio, Bus, forbidden);
                Mch = new Q35HostBridge(Ecam);
                var ich9Pm = new AcpiPmRegisters(new AcpiPmTimer(), () => end?.Invoke(new MachineExit(MachineExitReason.GuestShutdown, "ACPI power-off (ICH9 PM1 control)")),
                    AcpiPmLayout.Ich9);
                Lpc = new Ich9LpcBridge(ports, ich9Pm);
                Bus.Add(0, Mch);
                Bus.Add(PciLayout.Ich9Slot, 0, Lpc);
                if (config.KernelPath is not null)
                {
                    ProgramAsFirmware(Mch, Lpc);
                }

                break;
        }
    }

    /// <summary>
    /// For a direct kernel boot, what firmware would have programmed (and what the ACPI tables then describe): ECAM at
    /// 0xB0000000 for 256 buses, and the ICH9's PM block at 0x600 with ACPI enabled. Through the guest's own path.
    /// </summary>
    private static void ProgramAsFirmware(Q35HostBridge mch, Ich9LpcBridge lpc)
    {
        Span<byte> value = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(value, (uint)PciLayout.Q35EcamBase | (uint)Q35HostBridge.PciExBarEnable);
        mch.WriteConfig(Q35HostBridge.PciExBar, value);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(value, Ich9LpcBridge.DefaultPmBase | 1u);
        lpc.WriteConfig(Ich9LpcBridge.PmBase, value);
        lpc.WriteConfig(Ich9LpcBridge.AcpiControl, [Ich9LpcBridge.AcpiEnable]);
    }
}
