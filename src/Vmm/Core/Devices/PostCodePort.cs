using NLog;

namespace Kvm.Vmm.Devices;

/// <summary>
/// The POST code port (0x80). Firmware writes boot progress codes there for a diagnostic card to show, and Linux
/// writes to it as an I/O delay (<c>outb</c> to 0x80), often; so a write costs a store and an interlocked increment,
/// nothing more (no allocation, no log unless Trace is on). The last code and the number of writes are kept for the
/// host to look at.
/// </summary>
public sealed class PostCodePort : IPortDevice
{
    public const ushort Port = 0x80;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private byte _lastCode;
    private long _writes;

    /// <summary>The last byte the guest wrote (0 before any write).</summary>
    public byte LastCode => Volatile.Read(ref _lastCode);

    /// <summary>How many writes reached the port, of any width.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>
    /// Reads are all ones: a POST card only listens, so on a PC nothing drives the bus when 0x80 is read, and QEMU's PC
    /// machine answers the same. Giving back the last code instead would hand the guest a scratch register that real
    /// hardware does not promise.
    /// </summary>
    public void Read(ushort offset, Span<byte> data) => data.Fill(0xff);

    public void Write(ushort offset, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        // A wider write's first byte is the one addressed to 0x80 (x86 is little-endian).
        Volatile.Write(ref _lastCode, data[0]);
        Interlocked.Increment(ref _writes);
        if (s_log.IsTraceEnabled)
        {
            s_log.Trace("POST code 0x{Code:x2}", data[0]);
        }
    }
}
