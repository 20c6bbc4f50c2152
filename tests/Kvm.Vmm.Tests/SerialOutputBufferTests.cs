using System.Diagnostics;
using Kvm.Vmm.Devices;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>The bounded ring between COM1 and the host: never blocks the writer of bytes, never loses one.</summary>
public sealed class SerialOutputBufferTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Test]
    public void TryWrite_SinkHeld_FillsToCapacityThenRefuses()
    {
        using var sink = new HeldSink(held: true);
        using var buffer = new SerialOutputBuffer(sink, capacity: 32);

        bool[] taken = [.. Enumerable.Range(0, 33).Select(i => buffer.TryWrite((byte)i))];

        Assert.Multiple(() =>
        {
            Assert.That(taken[..32], Has.All.True);
            Assert.That(taken[32], Is.False);
            Assert.That(buffer.HasSpace(1), Is.False);
            Assert.That(buffer.Count, Is.EqualTo(32));
        });
    }

    [Test]
    public void HasSpace_SinkTakesTheBytes_SpaceAvailableIsRaisedAndAllArriveInOrder()
    {
        using var sink = new HeldSink(held: true);
        using var buffer = new SerialOutputBuffer(sink, capacity: 32);
        using var raised = new ManualResetEventSlim();
        buffer.SpaceAvailable += raised.Set;
        for (int i = 0; i < 32; i++)
        {
            buffer.TryWrite((byte)i);
        }

        Assert.That(buffer.HasSpace(16), Is.False);
        sink.Release();

        Assert.That(raised.Wait(s_wait), Is.True, "SpaceAvailable was not raised");
        Assert.Multiple(() =>
        {
            Assert.That(buffer.HasSpace(16), Is.True);
            Assert.That(sink.Received, Is.EqualTo(Enumerable.Range(0, 32).Select(i => (byte)i)));
        });
    }

    [Test]
    public void SpaceAvailable_NobodyFoundTheBufferFull_IsNotRaised()
    {
        using var sink = new HeldSink(held: false);
        using var buffer = new SerialOutputBuffer(sink, capacity: 32);
        int raised = 0;
        buffer.SpaceAvailable += () => Interlocked.Increment(ref raised);

        for (int i = 0; i < 16; i++)
        {
            buffer.TryWrite((byte)i);
        }

        buffer.Dispose();
        Assert.That(raised, Is.Zero);
    }

    [Test]
    public void TryWrite_OneMebibyteThroughASlowPipe_ArrivesInOrder()
    {
        byte[] data = new byte[1 << 20];
        new Random(42).NextBytes(data);
        using var pipe = new SlowPipe();
        using var buffer = new SerialOutputBuffer(new StreamSerialSink(pipe.Writer), capacity: 4096);
        using var room = new AutoResetEvent(false);
        buffer.SpaceAvailable += () => room.Set();
        var reading = pipe.ReadAsync(data.Length);

        int fullSeen = 0;
        foreach (byte b in data)
        {
            while (!buffer.TryWrite(b))
            {
                if (fullSeen++ == 0)
                {
                    pipe.StartReading();
                }

                // TryWrite's refusal asked for SpaceAvailable; it may already have come.
                Assert.That(room.WaitOne(s_wait), Is.True, "no room came back");
            }
        }

        pipe.StartReading();
        Assert.That(reading.Wait(s_wait), Is.True, "the reader did not get everything");
        Assert.Multiple(() =>
        {
            Assert.That(fullSeen, Is.GreaterThan(0), "the buffer never filled");
            Assert.That(reading.Result, Is.EqualTo(data));
        });
    }

    [Test]
    public void Dispose_BytesPending_TheyReachTheSinkFirst()
    {
        using var sink = new HeldSink(held: true);
        var buffer = new SerialOutputBuffer(sink, capacity: 1024);
        byte[] data = [.. Enumerable.Range(0, 1000).Select(i => (byte)(i * 7))];
        foreach (byte b in data)
        {
            buffer.TryWrite(b);
        }

        sink.Release();
        buffer.Dispose();

        Assert.That(sink.Received, Is.EqualTo(data));
    }

    [Test]
    public void Dispose_SinkNeverTakesAnything_GivesUpAfterTheFlushTimeout()
    {
        using var sink = new HeldSink(held: true);
        var buffer = new SerialOutputBuffer(sink, capacity: 16);
        buffer.TryWrite(1);

        var watch = Stopwatch.StartNew();
        buffer.Dispose();

        Assert.That(watch.Elapsed, Is.LessThan(SerialOutputBuffer.FlushTimeout + TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void Constructor_CapacityZero_IsRefused()
    {
        using var sink = new HeldSink(held: false);
        Assert.That(() => new SerialOutputBuffer(sink, capacity: 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
