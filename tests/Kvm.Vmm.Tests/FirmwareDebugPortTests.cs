using System.Text;
using Kvm.Vmm.Devices;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

public sealed class FirmwareDebugPortTests
{
    [Test]
    public void Present_ReadsGiveTheReadbackAndBytesBecomeLines()
    {
        var port = new FirmwareDebugPort(present: true);
        var lines = new List<string>();
        port.Line += lines.Add;
        var value = new byte[1];
        port.Read(0, value);
        Assert.That(value[0], Is.EqualTo(FirmwareDebugPort.Readback));
        foreach (byte b in Encoding.ASCII.GetBytes("SeaBIOS (version x)\r\nRam\x01Size\n"))
        {
            port.Write(0, [b]);
        }

        Assert.That(lines, Is.EqualTo(new[] { "SeaBIOS (version x)", "Ram.Size" }));
    }

    [Test]
    public void Absent_ReadsAreAllOnesAndWritesAreDropped()
    {
        var port = new FirmwareDebugPort(present: false);
        var lines = new List<string>();
        port.Line += lines.Add;
        var value = new byte[2];
        port.Read(0, value);
        Assert.That(value, Is.EqualTo(new byte[] { 0xff, 0xff }));
        port.Write(0, "x\n"u8[..1]);
        port.Write(0, "x\n"u8[1..]);
        Assert.That(lines, Is.Empty);
    }

    [Test]
    public void ALineWithoutEnd_IsCutAtTheBound()
    {
        var port = new FirmwareDebugPort(present: true);
        var lines = new List<string>();
        port.Line += lines.Add;
        for (int i = 0; i < (3 * FirmwareDebugPort.MaxLine) + 10; i++)
        {
            port.Write(0, "a"u8);
        }

        Assert.That(lines, Has.Count.EqualTo(3));
        Assert.That(lines, Has.All.Length.EqualTo(FirmwareDebugPort.MaxLine));
    }
}
