namespace Kvm.Vmm.Devices;

/// <summary>
/// The PC keyboard controller, only as far as a guest without a keyboard needs it: an empty status (no data, input
/// buffer free) and the "pulse reset line" command (0xfe on port 0x64), which is how Linux reboots a PC.
/// </summary>
public sealed class I8042(Action resetRequested) : IPortDevice
{
    public const ushort DataPort = 0x60;
    public const ushort CommandPort = 0x64;
    private const byte PulseResetLine = 0xfe;

    public void Read(ushort offset, Span<byte> data) => data.Clear();

    public void Write(ushort offset, ReadOnlySpan<byte> data)
    {
        if (offset == 0 && data.Length > 0 && data[0] == PulseResetLine)
        {
            resetRequested();
        }
    }
}
