using Kvm.Vmm.Devices;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>The RTC's index/data pair, and what it does with accesses of odd sizes.</summary>
public sealed class CmosRtcTests
{
    private static readonly TimeProvider s_time = new FixedTime(new DateTimeOffset(2024, 2, 29, 13, 45, 7, TimeSpan.Zero));

    [TestCase((byte)0x00, (byte)0x07)]
    [TestCase((byte)0x02, (byte)0x45)]
    [TestCase((byte)0x04, (byte)0x13)]
    [TestCase((byte)0x07, (byte)0x29)]
    [TestCase((byte)0x08, (byte)0x02)]
    [TestCase((byte)0x09, (byte)0x24)]
    [TestCase((byte)0x32, (byte)0x20)]
    [TestCase((byte)0x84, (byte)0x13)] // bit 7 masks NMIs; the index is the low 7 bits
    public void Read_SelectedRegister_ReturnsBcdTime(byte index, byte expected)
    {
        var rtc = new CmosRtc(s_time);
        rtc.Write(0, [index]);
        byte[] data = [0];

        rtc.Read(1, data);

        Assert.That(data[0], Is.EqualTo(expected));
    }

    [Test]
    public void Write_AnyIndex_StaysBelowTheRegisterCount()
    {
        var rtc = new CmosRtc(s_time);

        rtc.Write(0, [0xff]);

        Assert.That(rtc.Index, Is.LessThan(CmosRtc.RegisterCount));
    }

    // 3 GiB below 4 GiB and 1 GiB above, 4 vCPUs, as a 4 GiB machine lays its RAM out.
    [TestCase((byte)0x15, (byte)0x80)] // base memory 640 KiB
    [TestCase((byte)0x16, (byte)0x02)]
    [TestCase((byte)0x17, (byte)0xff)] // extended memory in KiB, capped at 65535
    [TestCase((byte)0x31, (byte)0xff)]
    [TestCase((byte)0x34, (byte)0x00)] // (3 GiB - 16 MiB) / 64 KiB = 0xBF00
    [TestCase((byte)0x35, (byte)0xbf)]
    [TestCase((byte)0x5b, (byte)0x00)] // 1 GiB / 64 KiB = 0x4000
    [TestCase((byte)0x5c, (byte)0x40)]
    [TestCase((byte)0x5d, (byte)0x00)]
    [TestCase((byte)0x5f, (byte)0x03)] // vCPUs less one
    public void Read_MemoryAndCpuBytes_AreWhatPcFirmwareExpects(byte index, byte expected)
    {
        var rtc = new CmosRtc(s_time, new CmosMemory(3UL << 30, 1UL << 30, 4));
        rtc.Write(0, [index]);
        byte[] data = [0];

        rtc.Read(1, data);

        Assert.That(data[0], Is.EqualTo(expected));
    }

    [Test]
    public void Read_SmallMachine_ExtendedMemoryInKiB()
    {
        var rtc = new CmosRtc(s_time, new CmosMemory(32UL << 20, 0, 1));
        byte[] low = [0], high = [0];
        rtc.Write(0, [0x30]);
        rtc.Read(1, low);
        rtc.Write(0, [0x31]);
        rtc.Read(1, high);
        Assert.That(low[0] | (high[0] << 8), Is.EqualTo((32 - 1) * 1024));
    }

    [TestCase((ushort)0)]
    [TestCase((ushort)1)]
    public void ReadAndWrite_EmptySpan_DoNothing(ushort offset)
    {
        var rtc = new CmosRtc(s_time);
        rtc.Write(0, [0x04]);

        rtc.Read(offset, []);
        rtc.Write(offset, []);

        Assert.That(rtc.Index, Is.EqualTo(0x04));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
