using Kvm.Vmm.Devices;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>Port 0x80: the last POST code and the write count, cheaply; reads as an absent card.</summary>
public sealed class PostCodePortTests
{
    [Test]
    public void Write_Bytes_KeepsTheLastAndCountsThem()
    {
        var port = new PostCodePort();

        port.Write(0, [0x12]);
        port.Write(0, [0x34]);
        port.Write(0, [0x55]);

        Assert.That((port.LastCode, port.Writes), Is.EqualTo(((byte)0x55, 3L)));
    }

    [Test]
    public void Write_WideAccess_KeepsTheByteAddressedTo0x80()
    {
        var port = new PostCodePort();

        port.Write(0, [0xaa, 0xbb, 0xcc, 0xdd]);

        Assert.That((port.LastCode, port.Writes), Is.EqualTo(((byte)0xaa, 1L)));
    }

    [Test]
    public void Write_Empty_IsIgnored()
    {
        var port = new PostCodePort();

        port.Write(0, []);

        Assert.That((port.LastCode, port.Writes), Is.EqualTo(((byte)0, 0L)));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(4)]
    public void Read_AfterAWrite_ReturnsAllOnes(int width)
    {
        var port = new PostCodePort();
        port.Write(0, [0x42]);
        byte[] data = new byte[width];

        port.Read(0, data);

        Assert.That(data, Is.All.EqualTo(0xff));
    }

    [Test]
    public void Write_ManyTimes_DoesNotAllocate()
    {
        var port = new PostCodePort();
        ReadOnlySpan<byte> code = [0x80];
        port.Write(0, code);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            port.Write(0, code);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Write_FromSeveralThreads_CountsEveryWrite()
    {
        var port = new PostCodePort();

        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                port.Write(0, [0x01]);
            }
        });

        Assert.That(port.Writes, Is.EqualTo(40_000));
    }
}
