namespace Kvm.Vmm.Devices;

/// <summary>
/// The MC146818 real-time clock behind ports 0x70 (index) and 0x71 (data): the host's UTC time in BCD, 24-hour
/// mode, never "update in progress"; the memory-size and CPU-count bytes PC firmware reads (as QEMU's PC machines fill
/// them); the other CMOS bytes read as zero and writes are ignored.
/// </summary>
public sealed class CmosRtc(TimeProvider time, CmosMemory memory = default) : IPortDevice
{
    public const ushort IndexPort = 0x70;

    /// <summary>The CMOS register count: the index port's low 7 bits select one.</summary>
    public const int RegisterCount = 128;

    private byte _index;

    /// <summary>The register the index port selects (always below <see cref="RegisterCount"/>).</summary>
    internal byte Index => _index;

    public void Read(ushort offset, Span<byte> data)
    {
        data.Clear();
        if (offset == 1 && !data.IsEmpty)
        {
            data[0] = Register(_index);
        }
    }

    public void Write(ushort offset, ReadOnlySpan<byte> data)
    {
        if (offset == 0 && data.Length > 0)
        {
            _index = (byte)(data[0] & (RegisterCount - 1)); // bit 7 masks NMIs on a PC
        }
    }

    private byte Register(byte index)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return index switch
        {
            0x00 => Bcd(now.Second),
            0x02 => Bcd(now.Minute),
            0x04 => Bcd(now.Hour),
            0x06 => Bcd((int)now.DayOfWeek + 1),
            0x07 => Bcd(now.Day),
            0x08 => Bcd(now.Month),
            0x09 => Bcd(now.Year % 100),
            0x0a => 0x26, // 32.768 kHz time base, 1024 Hz rate, no update in progress
            0x0b => 0x02, // 24-hour mode, BCD
            0x0d => 0x80, // time and RAM valid
            0x32 => Bcd(now.Year / 100),
            0x15 => 0x80, // base memory, 640 KiB (0x280)
            0x16 => 0x02,
            0x17 or 0x30 => (byte)ExtendedKiB, // memory above 1 MiB in KiB, at most 65535
            0x18 or 0x31 => (byte)(ExtendedKiB >> 8),
            0x34 => (byte)Above16MiB, // memory from 16 MiB to the hole in 64 KiB units, at most 65535
            0x35 => (byte)(Above16MiB >> 8),
            0x5b => (byte)(memory.RamAbove4G >> 16), // memory above 4 GiB in 64 KiB units, 24 bits
            0x5c => (byte)(memory.RamAbove4G >> 24),
            0x5d => (byte)(memory.RamAbove4G >> 32),
            0x5f => (byte)Math.Max(0, memory.Vcpus - 1), // SeaBIOS: CPUs less one
            _ => 0,
        };
    }

    private ulong ExtendedKiB => memory.RamBelow4G <= 1 << 20 ? 0 : Math.Min((memory.RamBelow4G >> 10) - 1024, 0xffff);

    private ulong Above16MiB => memory.RamBelow4G <= 16 << 20 ? 0 : Math.Min((memory.RamBelow4G - (16 << 20)) >> 16, 0xffff);

    private static byte Bcd(int value) => (byte)(((value / 10) << 4) | (value % 10));
}
