using Kvm.Vmm.Bus;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

public sealed class MmioBusTests
{
    private sealed class Recorder : IBusDevice
    {
        public List<(ulong Offset, int Width, bool Write)> Accesses { get; } = [];

        public byte Fill { get; init; } = 0x5a;

        public void Read(ulong offset, Span<byte> data)
        {
            Accesses.Add((offset, data.Length, false));
            data.Fill(Fill);
        }

        public void Write(ulong offset, ReadOnlySpan<byte> data) => Accesses.Add((offset, data.Length, true));
    }

    [Test]
    public void ReadAndWrite_GoToTheOwnerWithOffsetsRelativeToItsRange()
    {
        var bus = new MmioBus();
        var device = new Recorder();
        bus.Register(0x1000, 0x100, device);
        Span<byte> data = stackalloc byte[4];
        Assert.That(bus.Read(0x10ff, data[..1]), Is.True);
        Assert.That(bus.Write(0x1004, data), Is.True);
        Assert.That(device.Accesses, Is.EqualTo(new[] { (0xffUL, 1, false), (4UL, 4, true) }));
    }

    [Test]
    public void Unowned_ReadsAllOnesAndDropsWrites()
    {
        var bus = new MmioBus();
        bus.Register(0x1000, 0x100, new Recorder());
        var data = new byte[8];
        Assert.That(bus.Read(0x1100, data), Is.False);
        Assert.That(data, Is.All.EqualTo(0xff));
        Assert.That(bus.Write(0xfff, data), Is.False);
    }

    [TestCase(0x10UL, 0UL)]
    [TestCase(ulong.MaxValue, 2UL)]
    [TestCase(0x1080UL, 0x100UL)]
    [TestCase(0xf00UL, 0x101UL)]
    public void TryRegister_EmptyWrappingOrOverlapping_IsRefusedWithTheReason(ulong address, ulong length)
    {
        var bus = new MmioBus();
        bus.Register(0x1000, 0x100, new Recorder());
        Assert.That(bus.TryRegister(address, length, new Recorder(), out string? error), Is.False);
        Assert.That(error, Is.Not.Empty);
        Assert.That(bus.Ranges.Count(), Is.EqualTo(1));
    }

    [Test]
    public void ManyDevices_EachAddressFindsItsOwner_AndUnregisterFreesTheRange()
    {
        var bus = new MmioBus();
        var devices = new List<Recorder>();
        var random = new Random(5);
        foreach (int slot in Enumerable.Range(0, 200).OrderBy(_ => random.Next()))
        {
            var device = new Recorder { Fill = (byte)slot };
            devices.Add(device);
            bus.Register(0xc000_0000UL + ((ulong)slot * 0x4000), 0x2000, device);
        }

        Span<byte> data = stackalloc byte[1];
        for (int slot = 0; slot < 200; slot++)
        {
            bus.Read(0xc000_0000UL + ((ulong)slot * 0x4000) + 0x1fff, data);
            Assert.That(data[0], Is.EqualTo((byte)slot));
            Assert.That(bus.Read(0xc000_0000UL + ((ulong)slot * 0x4000) + 0x2000, data), Is.False, "the gap between two devices");
        }

        var first = devices.Single(d => d.Fill == 7);
        Assert.That(bus.Unregister(0xc000_0000UL + (7 * 0x4000), first), Is.True);
        Assert.That(bus.Read(0xc000_0000UL + (7 * 0x4000), data), Is.False);
        Assert.That(bus.TryRegister(0xc000_0000UL + (7 * 0x4000), 0x4000, first, out _), Is.True);
    }
}
