namespace Kvm.Vmm.Devices;

/// <summary>
/// The PC keyboard controller, only as far as a guest without a keyboard needs it: an empty status (no data, input
/// buffer free) and the "pulse reset line" command (0xfe on port 0x64), which is how Linux reboots a PC. It owns ports
/// 0x60-0x64 (<see cref="PortCount"/>): the data port at offset 0 and the command port at offset 4; 0x61-0x63 are not
/// the controller's (KVM's in-kernel PIT answers 0x61) and read as all ones.
/// </summary>
public sealed class I8042(Action resetRequested) : IPortDevice
{
    public const ushort DataPort = 0x60;
    public const ushort CommandPort = 0x64;
    public const ushort PortCount = CommandPort - DataPort + 1;
    private const ushort CommandOffset = CommandPort - DataPort;
    private const byte PulseResetLine = 0xfe;

    public void Read(ushort offset, Span<byte> data)
    {
        if (offset is 0 or CommandOffset)
        {
            data.Clear();
        }
        else
        {
            data.Fill(0xff);
        }
    }

    public void Write(ushort offset, ReadOnlySpan<byte> data)
    {
        // 0xfe on the data port is a byte for the keyboard (its "resend" command), not a reset.
        if (offset == CommandOffset && data.Length > 0 && data[0] == PulseResetLine)
        {
            resetRequested();
        }
    }
}
