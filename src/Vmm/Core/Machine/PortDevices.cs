using Kvm.Vmm.Boot;
using Kvm.Vmm.Boot.Acpi;
using Kvm.Vmm.Devices;

namespace Kvm.Vmm.Machine;

/// <summary>
/// The machine's port I/O devices on their <see cref="IoBus"/>: COM1, the RTC, the keyboard controller's reset line,
/// the ACPI sleep registers, the POST code port, the firmware's debug console (0x402) and, when configured, isa-debug-exit. KVM is not needed to build it
/// (COM1's interrupt line and the machine's end are given), so tests drive the very bus the guest sees.
/// </summary>
internal sealed class PortDevices
{
    private PortDevices(IoBus bus, Serial8250 serial, CmosRtc rtc, PostCodePort postCode, IsaDebugExit? debugExit)
    {
        Bus = bus;
        Serial = serial;
        Rtc = rtc;
        PostCode = postCode;
        DebugExit = debugExit;
    }

    public IoBus Bus { get; }

    public Serial8250 Serial { get; }

    public CmosRtc Rtc { get; }

    public PostCodePort PostCode { get; }

    public IsaDebugExit? DebugExit { get; }

    /// <summary>
    /// Builds the devices; <paramref name="end"/> is called (on a vCPU thread) when the guest resets, powers off or
    /// writes to isa-debug-exit.
    /// </summary>
    /// <exception cref="BootException">The isa-debug-exit ports are not free.</exception>
    public static PortDevices Create(ISerialOutput serialOutput, IInterruptLine com1Irq, TimeProvider time, DebugExitConfig? debugExit,
        Action<MachineExit> end, CmosMemory memory = default)
    {
        var bus = new IoBus();
        var rtc = new CmosRtc(time, memory);
        var postCode = new PostCodePort();
        var serial = new Serial8250(serialOutput, com1Irq);
        try
        {
            bus.Register(Serial8250.Com1Port, 8, serial);
            bus.Register(CmosRtc.IndexPort, 2, rtc);
            bus.Register(I8042.DataPort, I8042.PortCount,
                new I8042(() => end(new MachineExit(MachineExitReason.GuestReset, "reset through the keyboard controller"))));
            bus.Register(AcpiTables.SleepControlPort, 2, new AcpiSleepControl(AcpiTables.S5SleepType,
                () => end(new MachineExit(MachineExitReason.GuestShutdown, "ACPI power-off (S5)"))));
            bus.Register(PostCodePort.Port, 1, postCode);
            bus.Register(FirmwareDebugPort.Port, 1, new FirmwareDebugPort());

            IsaDebugExit? debugExitDevice = null;
            if (debugExit is not null)
            {
                debugExitDevice = new IsaDebugExit(status => end(new MachineExit(MachineExitReason.GuestDebugExit,
                    $"isa-debug-exit: the guest asked for exit status {status}", status)));
                if (!bus.TryRegister(debugExit.IoBase, debugExit.IoSize, debugExitDevice, out string? error))
                {
                    throw new BootException($"isa-debug-exit: {error}");
                }
            }

            return new PortDevices(bus, serial, rtc, postCode, debugExitDevice);
        }
        catch
        {
            // The UART listens to the output, which outlives this machine.
            serial.Dispose();
            throw;
        }
    }
}
