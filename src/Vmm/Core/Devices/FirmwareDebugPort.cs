using System.Text;
using NLog;

namespace Kvm.Vmm.Devices;

/// <summary>
/// QEMU's debug console port (isa-debugcon at 0x402, which SeaBIOS and OVMF's QEMU builds write their debug log to),
/// present only while the VMM logs at Debug (<c>kvm-vmm --debug</c>): reads then give back 0xE9, the value by which
/// firmware knows the port is there, and written bytes are collected into lines logged as "firmware: ...". Otherwise
/// reads are all ones, as on QEMU's machines without the device, and firmware does not spend an exit per character of
/// its log. A line is cut at <see cref="MaxLine"/> bytes, so the guest cannot make the VMM hold more than that.
/// </summary>
public sealed class FirmwareDebugPort : IPortDevice
{
    public const ushort Port = 0x402;
    public const byte Readback = 0xe9;
    public const int MaxLine = 512;

    private static readonly Logger s_log = LogManager.GetLogger("Kvm.Vmm.Firmware");

    private readonly byte[] _line = new byte[MaxLine];
    private readonly Lock _gate = new();
    private readonly bool _present;
    private int _length;

    public FirmwareDebugPort(bool? present = null) => _present = present ?? s_log.IsDebugEnabled;

    /// <summary>Called with each complete line (tests; the log gets it regardless).</summary>
    public event Action<string>? Line;

    public void Read(ushort offset, Span<byte> data) => data.Fill(_present ? Readback : (byte)0xff);

    public void Write(ushort offset, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || !_present)
        {
            return;
        }

        // One byte per access, as firmware writes it; a wider access's first byte is the one addressed to the port.
        byte value = data[0];
        string? complete = null;
        lock (_gate)
        {
            if (value == (byte)'\n' || _length == MaxLine)
            {
                complete = Printable(_line.AsSpan(0, _length));
                _length = 0;
            }

            if (value != (byte)'\n' && value != (byte)'\r')
            {
                _line[_length++] = value;
            }
        }

        if (complete is not null)
        {
            s_log.Debug("firmware: {Line}", complete);
            Line?.Invoke(complete);
        }
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
        }

        return text.ToString();
    }
}
