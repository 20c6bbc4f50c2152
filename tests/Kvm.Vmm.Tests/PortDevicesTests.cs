using Kvm.Vmm.Boot;
using Kvm.Vmm.Devices;
using Kvm.Vmm.Machine;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// The machine's port bus, built as the machine builds it, under hostile guest input: seeded random reads and writes
/// of every size over the whole port space, most of them at and around the devices' ranges. Nothing may throw, a port
/// nobody owns reads as all ones, the devices' invariants hold, and only the documented writes end the machine.
/// </summary>
public sealed class PortDevicesTests
{
    private const int Steps = 30_000;
    private static readonly int[] s_sizes = [0, 1, 2, 3, 4, 8];

    // 0xfe resets through 0x64; 0x34 is SLP_EN with sleep type 5 (S5) for 0x6f0; 0x2a is the tests' debug-exit value.
    private static readonly byte[] s_interesting = [0x00, 0xff, 0xfe, 0x34, 0x20, 0x80, 0x2a, 0x7f, 0x01, 0x02, 0x10];

    private static readonly (ushort Base, ushort Length)[] s_machinePorts =
        [(0x3f8, 8), (0x70, 2), (0x60, 5), (0x6f0, 2), (0x80, 1), (0x402, 1)];

    [Test]
    public void Create_WithoutDebugExit_RegistersThePcPortsOnly()
    {
        var ports = Create(debugExit: null, out _, out _);

        Assert.That(ports.Bus.Ranges, Is.EquivalentTo(s_machinePorts));
        Assert.That(ports.DebugExit, Is.Null);
        ports.Serial.Dispose();
    }

    [Test]
    public void Create_WithDebugExit_AddsItsRange()
    {
        var ports = Create(new DebugExitConfig(0xf4, 4), out _, out _);

        Assert.That(ports.Bus.Ranges, Is.EquivalentTo(s_machinePorts.Append(((ushort)0xf4, (ushort)4))));
        ports.Serial.Dispose();
    }

    [Test]
    public void Create_DebugExitOverComOne_IsRefusedAndLetsGoOfTheOutput()
    {
        var output = new CountingSerialOutput();
        using var irq = new FakeInterruptLine();

        Assert.That(() => PortDevices.Create(output, irq, TimeProvider.System, new DebugExitConfig(0x3fc, 2), _ => { }),
            Throws.TypeOf<BootException>().With.Message.EqualTo("isa-debug-exit: ports 0x3fc-0x3fd overlap 0x3f8-0x3ff"));
        Assert.That(output.Listeners, Is.Zero, "the UART built for the failed machine still listens to the output");
    }

    [Test]
    public void Write_DebugExitNotConfigured_NeverEndsTheMachine()
    {
        var ports = Create(debugExit: null, out var ends, out _);

        for (int port = IsaDebugExit.DefaultIoBase; port < IsaDebugExit.DefaultIoBase + IsaDebugExit.DefaultIoSize; port++)
        {
            ports.Bus.Write((ushort)port, [0x2a]);
            ports.Bus.Write((ushort)port, [0x2a, 0x00]);
        }

        Assert.That(ends, Is.Empty);
        ports.Serial.Dispose();
    }

    [TestCase(1, false)]
    [TestCase(2, false)]
    [TestCase(3, true)]
    [TestCase(20240229, true)]
    public void Bus_SeededRandomAccesses_NeverThrowAndKeepTheInvariants(int seed, bool debugExit)
    {
        var random = new Random(seed);
        var output = new FakeSerialOutput(random.Next(0, 2 * Serial8250.TransmitHeadroom));
        var ports = Create(debugExit ? new DebugExitConfig() : null, out var ends, out var irq, output);
        var owned = s_machinePorts.Concat(debugExit ? [(IsaDebugExit.DefaultIoBase, IsaDebugExit.DefaultIoSize)] : []).ToArray();
        byte[] buffer = new byte[8];
        byte[] typed = new byte[100];

        for (int step = 0; step < Steps; step++)
        {
            // The host side moves too: typed input for the UART's FIFO, the console reader draining its output.
            if (random.Next(8) == 0)
            {
                random.NextBytes(typed);
                ports.Serial.Enqueue(typed.AsSpan(0, random.Next(typed.Length)));
            }

            if (random.Next(16) == 0)
            {
                output.Drain(random.Next(0, 5000));
            }

            ushort port = NextPort(random, owned);
            var data = buffer.AsSpan(0, s_sizes[random.Next(s_sizes.Length)]);
            int endsBefore = ends.Count;
            string where = $"seed {seed} step {step}: {data.Length} byte(s) at port 0x{port:x}";
            if (random.Next(2) == 0)
            {
                data.Fill(0x5a);
                ports.Bus.Read(port, data);
                if (!IsOwned(owned, port))
                {
                    Assert.That(data.ToArray(), Is.All.EqualTo(0xff), where);
                }

                Assert.That(ends, Has.Count.EqualTo(endsBefore), $"{where}: a read ended the machine");
            }
            else
            {
                foreach (ref byte b in data)
                {
                    b = random.Next(2) == 0 ? s_interesting[random.Next(s_interesting.Length)] : (byte)random.Next(256);
                }

                long postCodes = ports.PostCode.Writes;
                ports.Bus.Write(port, data);
                var expected = ExpectedEnd(port, data, debugExit);
                Assert.That(ends.Skip(endsBefore).Select(e => (e.Reason, e.ExitStatus)).ToArray(),
                    Is.EqualTo(expected is { } end ? [end] : Array.Empty<(MachineExitReason, int)>()), where);
                if (port == PostCodePort.Port && data.Length > 0)
                {
                    Assert.That((ports.PostCode.LastCode, ports.PostCode.Writes), Is.EqualTo((data[0], postCodes + 1)), where);
                }
            }

            Assert.That(ports.Serial.ReceiveFifoCount, Is.InRange(0, Serial8250.FifoSize), where);
            Assert.That(ports.Rtc.Index, Is.LessThan(CmosRtc.RegisterCount), where);
        }

        Assert.That(irq.RedundantSets, Is.Zero, "the UART set its interrupt line to the level it already had");
        ports.Serial.Dispose();
        irq.Dispose();
    }

    /// <summary>Several vCPUs hammer the same bus at once, as an SMP guest can.</summary>
    [Test]
    public void Bus_FourThreadsOfRandomAccesses_NeverThrow()
    {
        var ports = Create(new DebugExitConfig(), out _, out var irq);
        var owned = s_machinePorts.Append((IsaDebugExit.DefaultIoBase, IsaDebugExit.DefaultIoSize)).ToArray();

        Parallel.For(0, 4, thread =>
        {
            var random = new Random(thread);
            byte[] buffer = new byte[8];
            for (int step = 0; step < Steps / 4; step++)
            {
                var data = buffer.AsSpan(0, s_sizes[random.Next(s_sizes.Length)]);
                random.NextBytes(data);
                ushort port = NextPort(random, owned);
                if (random.Next(2) == 0)
                {
                    ports.Bus.Read(port, data);
                }
                else
                {
                    ports.Bus.Write(port, data);
                }
            }
        });

        Assert.That((ports.Serial.ReceiveFifoCount, ports.Rtc.Index < CmosRtc.RegisterCount), Is.EqualTo((0, true)));
        ports.Serial.Dispose();
        irq.Dispose();
    }

    private static PortDevices Create(DebugExitConfig? debugExit, out List<MachineExit> ends, out FakeInterruptLine irq, ISerialOutput? output = null)
    {
        var collected = new List<MachineExit>();
        ends = collected;
        irq = new FakeInterruptLine();
        return PortDevices.Create(output ?? new FakeSerialOutput(Serial8250.TransmitHeadroom), irq, TimeProvider.System, debugExit,
            exit =>
            {
                lock (collected)
                {
                    collected.Add(exit);
                }
            });
    }

    /// <summary>Mostly a port at or next to a device's range (its edges included), else any port.</summary>
    private static ushort NextPort(Random random, (ushort Base, ushort Length)[] owned)
    {
        if (random.Next(7) == 0)
        {
            return (ushort)random.Next(0x10000);
        }

        var (b, l) = owned[random.Next(owned.Length)];
        return (ushort)Math.Clamp(b - 2 + random.Next(l + 4), 0, 0xffff);
    }

    private static bool IsOwned((ushort Base, ushort Length)[] owned, ushort port) => owned.Any(r => port >= r.Base && port < r.Base + r.Length);

    /// <summary>The end a write asks for: the reset command, an S5 sleep, or any write to isa-debug-exit when there is one.</summary>
    private static (MachineExitReason, int)? ExpectedEnd(ushort port, ReadOnlySpan<byte> data, bool debugExit)
    {
        if (data.IsEmpty)
        {
            return null;
        }

        if (port == I8042.CommandPort && data[0] == 0xfe)
        {
            return (MachineExitReason.GuestReset, 0);
        }

        if (port == 0x6f0 && (data[0] & 0x20) != 0 && ((data[0] >> 2) & 7) == 5)
        {
            return (MachineExitReason.GuestShutdown, 0);
        }

        if (debugExit && port - IsaDebugExit.DefaultIoBase is >= 0 and < IsaDebugExit.DefaultIoSize)
        {
            uint value = 0;
            for (int i = Math.Min(data.Length, 4) - 1; i >= 0; i--)
            {
                value = (value << 8) | data[i];
            }

            return (MachineExitReason.GuestDebugExit, (int)(((value << 1) | 1) & 0xff));
        }

        return null;
    }

    /// <summary>Serial output that only counts who listens for space.</summary>
    private sealed class CountingSerialOutput : ISerialOutput
    {
        private Action? _spaceAvailable;

        public int Listeners => _spaceAvailable?.GetInvocationList().Length ?? 0;

        public event Action? SpaceAvailable
        {
            add => _spaceAvailable += value;
            remove => _spaceAvailable -= value;
        }

        public bool HasSpace(int count) => true;

        public bool TryWrite(byte value) => true;
    }
}
