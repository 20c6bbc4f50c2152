using Kvm.Vmm.Devices;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>isa-debug-exit: a write of v asks for exit status (v &lt;&lt; 1) | 1, as QEMU's device does.</summary>
public sealed class IsaDebugExitTests
{
    [TestCase(new byte[] { 0x2a }, 85)]
    [TestCase(new byte[] { 0x00 }, 1)]
    [TestCase(new byte[] { 0x7f }, 255)]
    [TestCase(new byte[] { 0x80 }, 1)] // (0x80 << 1) | 1 = 0x101: the parent sees 8 bits
    [TestCase(new byte[] { 0x2a, 0x00 }, 85)]
    [TestCase(new byte[] { 0x10, 0x01 }, 33)] // 0x110 → 0x221
    [TestCase(new byte[] { 0x03, 0x00, 0x00, 0x80 }, 7)]
    public void Write_Value_AsksForQemusStatus(byte[] data, int status)
    {
        var statuses = new List<int>();
        var device = new IsaDebugExit(statuses.Add);

        device.Write(0, data);

        Assert.That(statuses, Is.EqualTo(new[] { status }));
    }

    [Test]
    public void Write_SecondPort_AlsoAsks()
    {
        var statuses = new List<int>();
        var device = new IsaDebugExit(statuses.Add);

        device.Write(1, [0x01]);

        Assert.That(statuses, Is.EqualTo(new[] { 3 }));
    }

    [Test]
    public void Write_MoreThanFourBytes_UsesTheFirstFour()
    {
        var statuses = new List<int>();
        var device = new IsaDebugExit(statuses.Add);

        device.Write(0, [0x05, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);

        Assert.That(statuses, Is.EqualTo(new[] { 11 }));
    }

    [Test]
    public void Write_Empty_AsksNothing()
    {
        var statuses = new List<int>();
        var device = new IsaDebugExit(statuses.Add);

        device.Write(0, []);

        Assert.That(statuses, Is.Empty);
    }

    [Test]
    public void Read_AnyWidth_ReturnsAllOnesAndAsksNothing()
    {
        var statuses = new List<int>();
        var device = new IsaDebugExit(statuses.Add);
        byte[] data = new byte[4];

        device.Read(0, data);

        Assert.That((data, statuses.Count), Is.EqualTo((new byte[] { 0xff, 0xff, 0xff, 0xff }, 0)));
    }

    [Test]
    public void ExitStatus_EveryByte_IsOdd()
    {
        Assert.That(Enumerable.Range(0, 256).Select(v => IsaDebugExit.ExitStatus((uint)v)), Is.All.Matches<int>(s => s % 2 == 1 && s < 256));
    }
}
