using Kvm.Vmm.Devices;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>Port ranges: what registration refuses, and what a port nobody owns answers.</summary>
public sealed class IoBusTests
{
    [TestCase((ushort)0x3f8, (ushort)0)]
    [TestCase((ushort)0xffff, (ushort)2)]
    [TestCase((ushort)0x8000, ushort.MaxValue)]
    public void TryRegister_EmptyOrPastTheEnd_IsRefused(ushort basePort, ushort length)
    {
        var bus = new IoBus();

        bool registered = bus.TryRegister(basePort, length, new PostCodePort(), out string? error);

        Assert.That((registered, error), Is.EqualTo((false, $"ports 0x{basePort:x} (+{length}) are not a range of the 64 KiB port space")));
    }

    [Test]
    public void TryRegister_LastPort_IsAccepted()
    {
        var bus = new IoBus();

        Assert.That(bus.TryRegister(0xffff, 1, new PostCodePort(), out _), Is.True);
    }

    [Test]
    public void TryRegister_Overlap_IsRefusedWithBothRanges()
    {
        var bus = new IoBus();
        bus.Register(0x3f8, 8, new PostCodePort());

        bool registered = bus.TryRegister(0x3fe, 4, new PostCodePort(), out string? error);

        Assert.That((registered, error), Is.EqualTo((false, "ports 0x3fe-0x401 overlap 0x3f8-0x3ff")));
    }

    [Test]
    public void Register_Overlap_Throws()
    {
        var bus = new IoBus();
        bus.Register(0x70, 2, new PostCodePort());

        Assert.That(() => bus.Register(0x71, 1, new PostCodePort()), Throws.ArgumentException);
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(4)]
    [TestCase(8)]
    public void Read_UnownedPort_ReturnsAllOnes(int width)
    {
        var bus = new IoBus();
        bus.Register(0x80, 1, new PostCodePort());
        byte[] data = new byte[width];

        bus.Read(0x81, data);

        Assert.That(data, Is.All.EqualTo(0xff));
    }

    [Test]
    public void ReadAndWrite_OwnedPort_ReachTheDeviceAtItsOffset()
    {
        var bus = new IoBus();
        var device = new PostCodePort();
        bus.Register(0x80, 1, device);

        bus.Write(0x80, [0x42]);
        bus.Write(0x7f, [0x43]);

        Assert.That((device.LastCode, device.Writes), Is.EqualTo(((byte)0x42, 1L)));
    }
}
