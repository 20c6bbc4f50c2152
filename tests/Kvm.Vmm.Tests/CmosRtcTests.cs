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
