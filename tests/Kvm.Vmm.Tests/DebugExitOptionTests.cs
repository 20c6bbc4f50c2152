using Kvm.Vmm.Launch;
using Kvm.Vmm.Machine;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>--debug-exit's value: QEMU's isa-debug-exit properties, either left out for QEMU's default.</summary>
public sealed class DebugExitOptionTests
{
    [TestCase(null, 0x501, 2)]
    [TestCase("", 0x501, 2)]
    [TestCase("iobase=0xf4,iosize=0x04", 0xf4, 4)]
    [TestCase("iosize=1", 0x501, 1)]
    [TestCase("iobase=1280", 0x500, 2)]
    [TestCase("iobase=0xfffe", 0xfffe, 2)]
    public void Parse_Value_GivesTheDevicesPorts(string? value, int ioBase, int ioSize)
    {
        Assert.That(DebugExitOption.Parse(value), Is.EqualTo(new DebugExitConfig((ushort)ioBase, (ushort)ioSize)));
    }

    [TestCase("iobase", "'iobase' is not key=number")]
    [TestCase("iobase=", "'iobase=' is not key=number")]
    [TestCase("iobase=-1", "'iobase=-1' is not key=number")]
    [TestCase("iobase=0x10000", "iobase=65536 is out of range")]
    [TestCase("iosize=0", "iosize=0 is out of range")]
    [TestCase("iobase=0xffff", "the ports run past 0xffff")]
    [TestCase("port=0x501", "unknown property 'port'")]
    public void Parse_BadValue_SaysWhy(string value, string why)
    {
        Assert.That(() => DebugExitOption.Parse(value), Throws.TypeOf<LaunchException>().With.Message.EqualTo(
            $"--debug-exit {value}: {why}; expected iobase=N,iosize=N (default iobase=0x501,iosize=2)"));
    }
}
