using Kvm.Vmm.Interop;
using Kvm.Vmm.Memory;
using NLog;

namespace Kvm.Vmm.Devices.Virtio.Balloon;

/// <summary>
/// The statistics queue (virtio 1.2, 5.5.6.3): the driver makes one buffer of statistics available; the device reads
/// it and keeps it. To ask for fresh figures the device gives the buffer back (used, length 0), and the driver fills
/// and offers it again. Here that happens every period (<c>guest-stats-polling-interval</c>), on a thread of its own
/// that also wakes for the driver's kicks. A second buffer while one is held returns the held one first, as QEMU does.
/// A malformed ring fails the device; nothing here runs on a vCPU.
/// </summary>
internal sealed class BalloonStatsQueue : IDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly string _name;
    private readonly int _index;
    private readonly Virtqueue _queue;
    private readonly EventFd _kick;
    private readonly EventFd _stop = EventFd.Create();
    private readonly EventFd _periodChanged = EventFd.Create();
    private readonly IVirtioInterrupt _interrupt;
    private readonly GuestMemory _memory;
    private readonly Func<uint> _period;
    private readonly BalloonStatsReceived _received;
    private readonly DescriptorChain _chain;
    private readonly Thread _thread;
    private ushort? _held;
    private bool _failed;

    public delegate void BalloonStatsReceived(ReadOnlySpan<byte> buffer);

    public BalloonStatsQueue(string name, int index, Virtqueue queue, EventFd kick, IVirtioInterrupt interrupt, GuestMemory memory, Func<uint> period,
        BalloonStatsReceived received)
    {
        _name = name;
        _index = index;
        _queue = queue;
        _kick = kick;
        _interrupt = interrupt;
        _memory = memory;
        _period = period;
        _received = received;
        _chain = queue.CreateChain();
        _thread = new Thread(Run) { Name = $"{name}:stats", IsBackground = true };
        _thread.Start();
    }

    /// <summary>The polling period changed: from none to some asks at once (as QEMU), otherwise the next request moves.</summary>
    public void PeriodChanged() => _periodChanged.Signal();

    public void Dispose()
    {
        _stop.Signal();
        if (Thread.CurrentThread != _thread && !_thread.Join(TimeSpan.FromSeconds(30)))
        {
            s_log.Error("{Device}: the statistics thread did not stop within 30 s", _name);
            return;
        }

        _stop.Dispose();
        _periodChanged.Dispose();
    }

    private void Run()
    {
        EventFd[] waits = [_kick, _stop, _periodChanged];
        Span<bool> ready = stackalloc bool[3];
        uint period = _period();
        long due = period == 0 ? long.MaxValue : Environment.TickCount64 + (period * 1000L);
        try
        {
            Take();
            while (true)
            {
                long now = Environment.TickCount64;
                int timeout = due == long.MaxValue ? -1 : (int)Math.Clamp(due - now, 0, int.MaxValue);
                EventFd.WaitAny(waits, ready, timeout);
                if (ready[1])
                {
                    return;
                }

                if (ready[0])
                {
                    _kick.TryConsume();
                }

                now = Environment.TickCount64;
                if (ready[2])
                {
                    _periodChanged.TryConsume();
                    uint previous = period;
                    period = _period();
                    due = period == 0 ? long.MaxValue : previous == 0 ? now : now + (period * 1000L);
                }

                Take();
                if (now >= due)
                {
                    Request();
                    due = period == 0 ? long.MaxValue : now + (period * 1000L);
                }
            }
        }
        catch (Exception e)
        {
            s_log.Error(e, "{Device}: the statistics thread failed", _name);
            _interrupt.Fail();
        }
    }

    /// <summary>Takes every buffer the driver offered: reads its statistics and keeps the last one.</summary>
    private void Take()
    {
        Span<byte> buffer = stackalloc byte[BalloonStats.MaxEntries * BalloonStats.EntrySize];
        while (!_failed)
        {
            var result = _queue.TryPop(_chain);
            if (result == QueuePop.Broken)
            {
                s_log.Warn("{Device}: statistics queue is broken: {Error}", _name, _chain.Error);
                _failed = true;
                _interrupt.Fail();
                return;
            }

            if (result == QueuePop.Empty)
            {
                if (!_queue.EnableNotifications())
                {
                    return;
                }

                continue;
            }

            // The driver should offer one buffer at a time: an older one goes back unread before the new one is kept.
            Request();
            _held = _chain.Head;
            int length = (int)Math.Min(_chain.ReadableBytes, (ulong)buffer.Length);
            int copied = _chain.CopyFromReadable(_memory, 0, buffer[..length]);
            _received(buffer[..copied]);
        }
    }

    /// <summary>Gives the held buffer back (used length 0), which asks the driver for fresh statistics.</summary>
    private void Request()
    {
        if (_held is not { } head || _failed)
        {
            return;
        }

        _held = null;
        _queue.TryAddUsed(head, 0);
        if (_queue.NeedsInterrupt())
        {
            _interrupt.NotifyQueue(_index);
        }
    }
}
