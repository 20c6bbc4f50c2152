using Kvm.Vmm.Devices;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>The keyboard controller's reset line: 0xfe on the command port (0x64), and only there.</summary>
public sealed class I8042Tests
{
    private const ushort DataOffset = 0;
    private const ushort CommandOffset = I8042.CommandPort - I8042.DataPort;

    [Test]
    public void Write_PulseResetOnCommandPort_RequestsReset()
    {
        int resets = 0;
        var i8042 = new I8042(() => resets++);

        i8042.Write(CommandOffset, [0xfe]);

        Assert.That(resets, Is.EqualTo(1));
    }

    [Test]
    public void Write_0xfeOnDataPort_DoesNotReset()
    {
        int resets = 0;
        var i8042 = new I8042(() => resets++);

        // A byte for the keyboard (its "resend" command), which the controller passes on.
        i8042.Write(DataOffset, [0xfe]);

        Assert.That(resets, Is.Zero);
    }

    [TestCase(DataOffset, (byte)0x00)]
    [TestCase(CommandOffset, (byte)0x00)]
    [TestCase((ushort)1, (byte)0xff)]
    [TestCase((ushort)3, (byte)0xff)]
    public void Read_Port_ReturnsEmptyStatusOrNothing(ushort offset, byte expected)
    {
        var i8042 = new I8042(() => { });
        byte[] data = [0x5a];

        i8042.Read(offset, data);

        Assert.That(data[0], Is.EqualTo(expected));
    }

    [Test]
    public void Write_Empty_IsIgnored()
    {
        int resets = 0;
        var i8042 = new I8042(() => resets++);

        i8042.Write(CommandOffset, []);

        Assert.That(resets, Is.Zero);
    }
}
