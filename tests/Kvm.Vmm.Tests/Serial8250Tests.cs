using Kvm.Vmm.Devices;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>COM1's registers, and its transmitter held busy while the host side has no room (back-pressure).</summary>
public sealed class Serial8250Tests
{
    private const ushort Thr = 0, Rbr = 0, Ier = 1, Iir = 2, Fcr = 2, Lcr = 3, Mcr = 4, Lsr = 5;
    private const byte IerReceive = 0x01, IerTransmit = 0x02;
    private const byte IirNone = 0x01, IirTransmitEmpty = 0x02, IirReceive = 0x04;
    private const byte LsrDataReady = 0x01, LsrThre = 0x20, LsrTemt = 0x40;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Test]
    public void ReadLsr_OutputHasRoom_TransmitterEmpty()
    {
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(new FakeSerialOutput(Serial8250.TransmitHeadroom), irq);

        Assert.That(Read(uart, Lsr), Is.EqualTo(LsrThre | LsrTemt));
    }

    [Test]
    public void WriteThr_OutputFillsUp_TransmitterBusyAndNoTransmitInterrupt()
    {
        var output = new FakeSerialOutput(Serial8250.TransmitHeadroom + 1);
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(output, irq);
        Write(uart, Ier, IerTransmit);
        Assert.That(Read(uart, Iir) & 0x0f, Is.EqualTo(IirTransmitEmpty), "enabling the interrupt with THR empty raises it");

        Write(uart, Thr, (byte)'a');
        Assert.That(irq.Asserted, Is.True, "room for the headroom is left: THR is empty again");
        Write(uart, Thr, (byte)'b');

        Assert.Multiple(() =>
        {
            Assert.That(Read(uart, Lsr) & (LsrThre | LsrTemt), Is.Zero);
            Assert.That(Read(uart, Iir) & 0x0f, Is.EqualTo(IirNone));
            Assert.That(irq.Asserted, Is.False);
            Assert.That(output.Written, Is.EqualTo("ab"u8.ToArray()));
        });
    }

    [Test]
    public void SpaceAvailable_AfterOutputWasFull_RaisesTheTransmitInterrupt()
    {
        var output = new FakeSerialOutput(Serial8250.TransmitHeadroom);
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(output, irq);
        Write(uart, Ier, IerTransmit);
        Read(uart, Iir);
        Write(uart, Thr, (byte)'x');
        Assert.That(irq.Asserted, Is.False);

        output.Drain(1);

        Assert.Multiple(() =>
        {
            Assert.That(irq.Asserted, Is.True);
            Assert.That(Read(uart, Iir) & 0x0f, Is.EqualTo(IirTransmitEmpty));
            Assert.That(Read(uart, Lsr) & (LsrThre | LsrTemt), Is.EqualTo(LsrThre | LsrTemt));
        });
    }

    [Test]
    public void SpaceAvailable_NotEnoughRoomYet_StaysBusy()
    {
        var output = new FakeSerialOutput(Serial8250.TransmitHeadroom);
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(output, irq);
        Write(uart, Ier, IerTransmit);
        Read(uart, Iir);
        Write(uart, Thr, 1);
        Write(uart, Thr, 2);

        output.Drain(1);

        Assert.Multiple(() =>
        {
            Assert.That(irq.Asserted, Is.False);
            Assert.That(Read(uart, Lsr) & LsrThre, Is.Zero);
        });
    }

    [Test]
    public void EnableTransmitInterrupt_OutputFull_InterruptComesWhenRoomFrees()
    {
        var output = new FakeSerialOutput(0);
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(output, irq);

        Write(uart, Ier, IerTransmit);
        Assert.That(irq.Asserted, Is.False);
        output.Drain(Serial8250.TransmitHeadroom);

        Assert.That(irq.Asserted, Is.True);
    }

    [Test]
    public void WriteThr_OutputFull_OverrunIsCountedAndNothingThrows()
    {
        var output = new FakeSerialOutput(0);
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(output, irq);

        Assert.That(() => Write(uart, Thr, (byte)'z'), Throws.Nothing);
        Write(uart, Thr, (byte)'z');

        Assert.Multiple(() =>
        {
            Assert.That(uart.TransmitOverruns, Is.EqualTo(2));
            Assert.That(output.Written, Is.Empty);
        });
    }

    [Test]
    public void WriteThr_Loopback_NothingGoesOutAndTheTransmitterStaysReady()
    {
        var output = new FakeSerialOutput(0);
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(output, irq);
        Write(uart, Mcr, 0x10);

        Write(uart, Thr, (byte)'q');

        Assert.Multiple(() =>
        {
            Assert.That(output.Written, Is.Empty);
            Assert.That(uart.TransmitOverruns, Is.Zero);
            Assert.That(Read(uart, Lsr) & LsrThre, Is.EqualTo(LsrThre));
        });
    }

    [Test]
    public void Enqueue_MoreThanTheFifo_TakesWhatFitsAndTheRestLater()
    {
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(new FakeSerialOutput(Serial8250.TransmitHeadroom), irq);
        Write(uart, Ier, IerReceive);
        byte[] typed = [.. Enumerable.Range(0, 100).Select(i => (byte)i)];

        int taken = uart.Enqueue(typed);
        Assert.That(taken, Is.EqualTo(Serial8250.FifoSize));
        Assert.That(Read(uart, Iir) & 0x0f, Is.EqualTo(IirReceive));
        var received = new List<byte>();
        while ((Read(uart, Lsr) & LsrDataReady) != 0)
        {
            received.Add(Read(uart, Rbr));
        }

        Assert.That(uart.Enqueue(typed.AsSpan(taken)), Is.EqualTo(typed.Length - taken));
        while ((Read(uart, Lsr) & LsrDataReady) != 0)
        {
            received.Add(Read(uart, Rbr));
        }

        Assert.That(received, Is.EqualTo(typed));
    }

    [Test]
    public void ReceiveRoomFreed_RaisedOnceWhenTheGuestReadsAfterARefusal()
    {
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(new FakeSerialOutput(Serial8250.TransmitHeadroom), irq);
        int raised = 0;
        uart.ReceiveRoomFreed += () => raised++;

        uart.Enqueue(new byte[10]);
        Read(uart, Rbr);
        Assert.That(raised, Is.Zero, "nothing was refused, so nobody waits");

        uart.Enqueue(new byte[100]);
        Assert.That(raised, Is.Zero, "the guest has not read yet");
        Read(uart, Rbr);
        Read(uart, Rbr);
        Assert.That(raised, Is.EqualTo(1), "one signal per refusal, at the guest's first read");
    }

    [Test]
    public void Dispose_ThenRoomFrees_NoInterruptAndNoInput()
    {
        var output = new FakeSerialOutput(0);
        using var irq = new FakeInterruptLine();
        var uart = new Serial8250(output, irq);
        Write(uart, Ier, IerTransmit);

        uart.Dispose();
        output.Drain(Serial8250.TransmitHeadroom);

        Assert.Multiple(() =>
        {
            Assert.That(irq.Asserted, Is.False);
            Assert.That(uart.Enqueue("typed"u8), Is.Zero);
        });
    }

    /// <summary>Linux's interrupt-driven transmit: on "THR empty", up to a FIFO's worth (16 bytes) without looking at LSR.</summary>
    [Test]
    public void Transmit_InterruptDrivenGuestThroughASlowPipe_OneMebibyteArrivesInOrder()
    {
        byte[] data = new byte[1 << 20];
        new Random(8250).NextBytes(data);
        using var pipe = new SlowPipe();
        using var output = new SerialOutputBuffer(new StreamSerialSink(pipe.Writer));
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(output, irq);
        var reading = pipe.ReadAsync(data.Length);

        int sent = 0, busySeen = 0;
        Write(uart, Ier, IerTransmit);
        while (sent < data.Length)
        {
            Assert.That(irq.WaitRaised(s_wait), Is.True, $"no interrupt after {sent} bytes");
            if ((Read(uart, Iir) & 0x0f) != IirTransmitEmpty)
            {
                continue;
            }

            for (int i = 0; i < 16 && sent < data.Length; i++)
            {
                Write(uart, Thr, data[sent++]);
            }

            if ((Read(uart, Lsr) & LsrThre) == 0 && busySeen++ == 0)
            {
                pipe.StartReading(); // the pipe and the buffer are full: now the reader may trickle
            }
        }

        pipe.StartReading();
        Assert.That(reading.Wait(s_wait), Is.True, "the reader did not get everything");
        Assert.Multiple(() =>
        {
            Assert.That(busySeen, Is.GreaterThan(0), "the transmitter never read as busy: back-pressure was not exercised");
            Assert.That(uart.TransmitOverruns, Is.Zero);
            Assert.That(reading.Result, Is.EqualTo(data));
        });
    }

    /// <summary>Linux's console (printk): polls LSR for THRE before each byte.</summary>
    [Test]
    public void Transmit_PollingGuestThroughASlowPipe_ArrivesInOrder()
    {
        byte[] data = new byte[256 << 10];
        new Random(16550).NextBytes(data);
        using var pipe = new SlowPipe();
        using var output = new SerialOutputBuffer(new StreamSerialSink(pipe.Writer));
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(output, irq);
        var reading = pipe.ReadAsync(data.Length);

        var deadline = DateTime.UtcNow + s_wait;
        int busySeen = 0;
        foreach (byte b in data)
        {
            while ((Read(uart, Lsr) & LsrThre) == 0)
            {
                if (busySeen++ == 0)
                {
                    pipe.StartReading();
                }

                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the transmitter stayed busy");
                Thread.Yield();
            }

            Write(uart, Thr, b);
        }

        pipe.StartReading();
        Assert.That(reading.Wait(s_wait), Is.True, "the reader did not get everything");
        Assert.Multiple(() =>
        {
            Assert.That(busySeen, Is.GreaterThan(0), "the transmitter never read as busy: back-pressure was not exercised");
            Assert.That(uart.TransmitOverruns, Is.Zero);
            Assert.That(reading.Result, Is.EqualTo(data));
        });
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void ReadWrite_SeededRandomAccesses_NeverThrowAndKeepTheInvariants(int seed)
    {
        var random = new Random(seed);
        var output = new FakeSerialOutput(random.Next(Serial8250.TransmitHeadroom * 2));
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(output, irq);
        var data = new byte[1];

        for (int step = 0; step < 20_000; step++)
        {
            ushort offset = (ushort)random.Next(0, 10);
            switch (random.Next(10))
            {
                case < 4:
                    uart.Read(offset, data);
                    break;
                case < 8:
                    data[0] = (byte)random.Next(256);
                    uart.Write(offset, data);
                    break;
                case 8:
                    uart.Enqueue(new byte[random.Next(0, 100)]);
                    break;
                default:
                    output.Drain(random.Next(0, Serial8250.TransmitHeadroom));
                    break;
            }

            byte lsr = Read(uart, Lsr);
            bool loopback = (Read(uart, Mcr) & 0x10) != 0;
            Assert.That((lsr & LsrThre) != 0, Is.EqualTo((lsr & LsrTemt) != 0), $"THRE and TEMT disagree at step {step}");
            if ((lsr & LsrThre) != 0 && !loopback)
            {
                Assert.That(output.Free, Is.GreaterThanOrEqualTo(Serial8250.TransmitHeadroom), $"THRE without room at step {step}");
            }
        }

        Assert.That(irq.RedundantSets, Is.Zero, "the interrupt line is only driven on changes");
        Assert.That(output.Written.Count + uart.TransmitOverruns, Is.GreaterThan(0));
    }

    [Test]
    public void ReadWrite_WideAndEmptyAccesses_NeverThrow()
    {
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(new FakeSerialOutput(Serial8250.TransmitHeadroom), irq);

        Assert.Multiple(() =>
        {
            Assert.That(() => uart.Write(Thr, ReadOnlySpan<byte>.Empty), Throws.Nothing);
            Assert.That(() => uart.Read(Lcr, new byte[4]), Throws.Nothing);
            Assert.That(() => uart.Write(Fcr, new byte[] { 0x07, 0xff, 0xff, 0xff }), Throws.Nothing);
        });
    }

    [Test]
    public void Read_EmptySpan_NeitherThrowsNorTakesAByte()
    {
        using var irq = new FakeInterruptLine();
        using var uart = new Serial8250(new FakeSerialOutput(Serial8250.TransmitHeadroom), irq);
        uart.Enqueue([0x41]);

        uart.Read(Rbr, []);

        Assert.That((uart.ReceiveFifoCount, Read(uart, Rbr)), Is.EqualTo((1, (byte)0x41)));
    }

    private static byte Read(Serial8250 uart, ushort offset)
    {
        Span<byte> data = stackalloc byte[1];
        uart.Read(offset, data);
        return data[0];
    }

    private static void Write(Serial8250 uart, ushort offset, byte value) => uart.Write(offset, [value]);
}
