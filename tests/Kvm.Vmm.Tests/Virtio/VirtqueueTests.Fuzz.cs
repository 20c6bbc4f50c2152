using System.Diagnostics;
using Kvm.Vmm.Devices.Virtio;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// A seeded fuzz of the pop/add-used path against a driver that writes garbage: random descriptors, flags and next
/// pointers (loops included), random indirect tables, addresses straddling the ends of two RAM regions with a hole
/// between them, random avail idx jumps and random heads. Invariants, not outcomes, are checked.
/// </summary>
public sealed partial class VirtqueueTests
{
    private const int FuzzChains = 100_000;
    private const byte Canary = 0xa5;
    private const ulong CanaryStart = 0x4000; // the used ring sits at FuzzUsed inside [CanaryStart, CanaryEnd)
    private const ulong CanaryEnd = 0x7000;
    private const ulong FuzzUsed = 0x5000;
    private const ulong IndirectArea = Region2; // indirect tables live at the start of the second region

    [TestCase(20261206)]
    [TestCase(1)]
    public void TryPop_SeededRandomGuest_KeepsEveryInvariant(int seed)
    {
        var violations = new List<string>();
        (int Chains, int Valid, int Broken, int Iterations, long Ms) counts = default;
        Exception? escaped = null;

        // On its own thread so that a pop that never returns fails the test instead of hanging the run.
        var worker = new Thread(() =>
        {
            try
            {
                counts = RunFuzz(seed, violations);
            }
            catch (Exception e)
            {
                escaped = e; // reported below, with the seed and iteration
            }
        })
        { IsBackground = true, Name = $"virtqueue-fuzz-{seed}" };
        worker.Start();

        bool finished = worker.Join(TimeSpan.FromMinutes(2));
        _keepMemoryMapped = !finished; // the stuck worker still reads it: unmapping would crash the test host
        Assert.That(finished, Is.True, "a pop did not terminate");
        Assert.That(escaped, Is.Null);
        TestContext.Out.WriteLine(
            $"{counts.Chains} chains ({counts.Valid} valid, {counts.Broken} broken) in {counts.Iterations} iterations, {counts.Ms} ms");
        Assert.That(violations, Is.Empty);
        Assert.That(counts.Valid, Is.GreaterThan(FuzzChains / 10), "the fuzz should reach the valid path often");
        Assert.That(counts.Broken, Is.GreaterThan(FuzzChains / 10), "the fuzz should reach the broken path often");
    }

    private (int Chains, int Valid, int Broken, int Iterations, long Ms) RunFuzz(int seed, List<string> violations)
    {
        var rng = new Random(seed);
        var scratch = new byte[64];
        ushort size = 0;
        bool active = false;
        int chains = 0, valid = 0, broken = 0, iteration = 0;
        var clock = Stopwatch.StartNew();

        void Violation(string what)
        {
            if (violations.Count < 20)
            {
                violations.Add($"seed {seed} iteration {iteration}: {what}");
            }
        }

        for (; chains < FuzzChains; iteration++)
        {
            try
            {
                if (!active || rng.Next(64) == 0)
                {
                    size = (ushort)(1 << rng.Next(9)); // 1 .. 256
                    if (!ActivateForFuzz(rng, size))
                    {
                        Violation("valid rings were refused");
                    }

                    active = true;
                }

                WriteRandomDescriptors(rng, size);
                PublishRandomHeads(rng, size);

                for (int pops = 0; pops < 6; pops++)
                {
                    QueuePop result = _queue.TryPop(_chain);
                    if (result == QueuePop.Empty)
                    {
                        break;
                    }

                    chains++;
                    int bound = size + Math.Max((int)size, 1024);
                    if (_queue.LastWalkLength > bound)
                    {
                        Violation($"walked {_queue.LastWalkLength} descriptors, bound {bound}");
                    }

                    if (result == QueuePop.Broken)
                    {
                        broken++;
                        CheckBroken(Violation);
                        active = false;
                        break;
                    }

                    valid++;
                    CheckChain(Violation);
                    _chain.CopyFromReadable(_memory, (ulong)rng.Next(0, 64), scratch);
                    if (!_queue.TryAddUsed(_chain.Head, (uint)rng.Next()))
                    {
                        Violation("TryAddUsed refused a popped head");
                    }

                    if (rng.Next(3) == 0)
                    {
                        _queue.NeedsInterrupt();
                    }

                    switch (rng.Next(8))
                    {
                        case 0: _queue.DisableNotifications(); break;
                        case 1: _queue.EnableNotifications(); break;
                    }
                }

                if (_memory.GetSpan(CanaryStart, (int)(FuzzUsed - CanaryStart)).IndexOfAnyExcept(Canary) >= 0
                    || _memory.GetSpan(FuzzUsed + UsedBytes(size), (int)(CanaryEnd - FuzzUsed - UsedBytes(size))).IndexOfAnyExcept(Canary) >= 0)
                {
                    Violation("a write landed outside the used ring");
                    FillCanary(size);
                }
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"Seed {seed}, iteration {iteration}: an exception escaped", e);
            }
        }

        return (chains, valid, broken, iteration, clock.ElapsedMilliseconds);
    }

    private static ulong UsedBytes(ushort size) => 6 + 8UL * size;

    private bool ActivateForFuzz(Random rng, ushort size)
    {
        _queue.Reset();
        _queue.Size = size;
        _queue.DescriptorTable = Desc;
        _queue.AvailableRing = Avail;
        _queue.UsedRing = FuzzUsed;
        FillCanary(size);
        bool activated = _queue.TryActivate(_memory, rng.Next(2) == 0, rng.Next(5) != 0, out _);

        _driver = new SplitRingDriver(_memory, size, Desc, Avail, FuzzUsed);
        ushort start = rng.Next(3) switch
        {
            0 => 0,
            1 => (ushort)(65535 - rng.Next(8)),
            _ => (ushort)rng.Next(65536),
        };
        _driver.StartAt(start);
        _queue.SetRingPositions(start, start);
        return activated;
    }

    private void FillCanary(ushort size)
    {
        _memory.GetSpan(CanaryStart, (int)(CanaryEnd - CanaryStart)).Fill(Canary);
        _memory.GetSpan(FuzzUsed, (int)UsedBytes(size)).Clear();
    }

    private void WriteRandomDescriptors(Random rng, ushort size)
    {
        if (rng.Next(3) == 0)
        {
            // A well-formed chain now and then, so the valid path (and AddUsed) is exercised too.
            int length = rng.Next(1, Math.Min((int)size, 8) + 1);
            int first = rng.Next(size - length + 1);
            int writableFrom = rng.Next(length + 1);
            for (int i = 0; i < length; i++)
            {
                ushort flags = (ushort)((i >= writableFrom ? SplitRingDriver.Write : 0) | (i + 1 < length ? SplitRingDriver.Next : 0));
                _driver.WriteDescriptor(first + i, Data + (ulong)rng.Next(0x10000), (uint)rng.Next(1, 4096), flags, (ushort)(first + i + 1));
            }

            return;
        }

        int count = rng.Next(1, Math.Min((int)size, 16) + 1);
        for (int i = 0; i < count; i++)
        {
            var (address, length, flags, next) = RandomDescriptor(rng, size);
            _driver.WriteDescriptor(rng.Next(size), address, length, flags, next);
        }

        int tableEntries = rng.Next(0, 24);
        for (int i = 0; i < tableEntries; i++)
        {
            var (address, length, flags, next) = RandomDescriptor(rng, 64);
            _driver.WriteDescriptorAt(IndirectArea, rng.Next(64), address, length, flags, next);
        }
    }

    private static (ulong Address, uint Length, ushort Flags, ushort Next) RandomDescriptor(Random rng, int tableLength)
    {
        ushort flags = (ushort)(
            (rng.Next(10) < 6 ? SplitRingDriver.Next : 0)
            | (rng.Next(10) < 4 ? SplitRingDriver.Write : 0)
            | (rng.Next(10) == 0 ? SplitRingDriver.Indirect : 0));
        if (rng.Next(20) == 0)
        {
            flags = (ushort)rng.Next(65536);
        }

        ushort next = rng.Next(10) switch
        {
            < 8 => (ushort)rng.Next(tableLength),
            8 => (ushort)rng.Next(Math.Min(tableLength, 4)), // short loops back to the start
            _ => (ushort)rng.Next(65536),
        };

        if ((flags & SplitRingDriver.Indirect) != 0 && rng.Next(4) != 0)
        {
            ulong tableAddress = rng.Next(4) == 0 ? RandomAddress(rng) : IndirectArea + 16UL * (uint)rng.Next(64);
            uint tableBytes = rng.Next(5) == 0 ? (uint)rng.Next() : 16u * (uint)rng.Next(0, 80);
            return (tableAddress, tableBytes, flags, next);
        }

        return (RandomAddress(rng), RandomLength(rng), flags, next);
    }

    private static ulong RandomAddress(Random rng) => rng.Next(9) switch
    {
        0 or 1 or 2 => Data + (ulong)rng.Next(0xe0000),
        3 => Hole - (ulong)rng.Next(64), // straddling the end of the first region
        4 => Hole + (ulong)rng.Next(0x100000), // the hole
        5 => Region2 - (ulong)rng.Next(64), // straddling from the hole into the second region
        6 => 3 * Mib - (ulong)rng.Next(64), // straddling the end of the second region
        7 => ulong.MaxValue - (ulong)rng.Next(64), // wrapping the address space
        _ => (ulong)rng.NextInt64() * 2 + (ulong)rng.Next(2),
    };

    private static uint RandomLength(Random rng) => rng.Next(8) switch
    {
        0 => 0,
        1 or 2 or 3 => (uint)rng.Next(1, 128),
        4 or 5 => (uint)rng.Next(1, 8192),
        6 => uint.MaxValue - (uint)rng.Next(16),
        _ => (uint)rng.NextInt64(uint.MaxValue + 1L),
    };

    private void PublishRandomHeads(Random rng, ushort size)
    {
        int count = rng.Next(1, 5);
        for (int i = 0; i < count; i++)
        {
            ushort head = rng.Next(10) == 0 ? (ushort)rng.Next(65536) : (ushort)rng.Next(size);
            _driver.Publish(head);
        }

        switch (rng.Next(30))
        {
            case 0: _driver.SetAvailIdx((ushort)rng.Next(65536)); break; // a jump
            case 1: _driver.SetAvailIdx((ushort)(_driver.AvailIdx + size)); break; // exactly a ring ahead: allowed
            case 2: _driver.AvailFlags = (ushort)rng.Next(2); break;
            case 3: _driver.UsedEvent = (ushort)rng.Next(65536); break;
        }
    }

    private void CheckChain(Action<string> violation)
    {
        ulong readable = 0, writable = 0;
        bool seenWritable = false;
        foreach (var segment in _chain.Segments)
        {
            if (segment.Length == 0 || !_memory.IsRam(segment.Address, segment.Length))
            {
                violation($"segment 0x{segment.Address:x}+0x{segment.Length:x} is not wholly in RAM");
            }

            if (seenWritable && !segment.DeviceWritable)
            {
                violation("a readable segment follows a writable one");
            }

            seenWritable |= segment.DeviceWritable;
            if (segment.DeviceWritable)
            {
                writable += segment.Length;
            }
            else
            {
                readable += segment.Length;
            }
        }

        if (readable != _chain.ReadableBytes || writable != _chain.WritableBytes || readable + writable > 1UL << 32)
        {
            violation("the chain's byte counts do not add up");
        }

        if (_chain.Head >= _queue.Size || _chain.Error is not null || _queue.IsFailed)
        {
            violation("a good chain has a bad head, an error, or a failed queue");
        }
    }

    private void CheckBroken(Action<string> violation)
    {
        if (!_queue.IsFailed || _chain.Error is null || _chain.Count != 0)
        {
            violation("a broken pop left the queue unfailed or the chain non-empty");
        }

        if (_queue.TryPop(_chain) != QueuePop.Broken || _queue.TryAddUsed(0, 0) || _queue.NeedsInterrupt())
        {
            violation("a failed queue came back before Reset");
        }
    }
}
