namespace Kvm.Vmm.Devices;

/// <summary>
/// The hardware-reduced ACPI sleep control and status registers (FADT SLEEP_CONTROL_REG / SLEEP_STATUS_REG, one byte
/// each). Writing SLP_EN with the _S5 sleep type powers the machine off; other writes are ignored.
/// </summary>
public sealed class AcpiSleepControl(byte s5SleepType, Action powerOff) : IPortDevice
{
    private const byte SleepEnable = 1 << 5;

    public void Read(ushort offset, Span<byte> data) => data.Clear();

    public void Write(ushort offset, ReadOnlySpan<byte> data)
    {
        if (offset == 0 && data.Length > 0 && (data[0] & SleepEnable) != 0 && ((data[0] >> 2) & 0x7) == s5SleepType)
        {
            powerOff();
        }
    }
}
