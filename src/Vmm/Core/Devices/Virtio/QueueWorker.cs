using Kvm.Vmm.Interop;
using NLog;

namespace Kvm.Vmm.Devices.Virtio;

/// <summary>
/// Serves one virtqueue. Its thread sleeps on the queue's doorbell eventfd (signalled by KVM, no vCPU exit), drains the
/// ring with notifications off and turns them back on (draining again if buffers arrived meanwhile). With
/// <c>maxInFlight</c> 1 it serves each chain itself; above 1 it hands chains to server threads, started as the load
/// needs them (up to maxInFlight), so that many requests wait on the host at once, as QEMU's thread pool or Linux AIO
/// lets them. Each completed chain goes back on the used ring at once, and the driver is interrupted when it asked for
/// it (event index or flags), so a fast request never waits for a slow one. At most maxInFlight chains are out: when all
/// are, the ring waits until one comes back. With an <see cref="IAsyncChainServer"/> (Linux AIO), the chains it takes
/// are started on the queue's thread, submitted once the ring is drained, and completed in batches when the host
/// signals them (one interrupt per batch, as the driver asks); only the chains it declines reach the server threads.
/// A chain the guest malformed fails the queue and the device
/// (<see cref="IVirtioInterrupt.Fail"/>): the threads then only wait for the reset. Nothing here runs on a vCPU thread.
/// </summary>
public sealed class QueueWorker : IDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Virtqueue _queue;
    private readonly int _index;
    private readonly EventFd _kick;
    private readonly EventFd _stop = EventFd.Create();
    private readonly EventFd _room = EventFd.Create();
    private readonly IVirtioInterrupt _interrupt;
    private readonly Func<DescriptorChain, uint> _serve;
    private readonly Thread _thread;
    private readonly string _name;
    private readonly int _maxInFlight;
    private readonly IAsyncChainServer? _async;
    private readonly Action<DescriptorChain> _declined;
    private readonly Action<DescriptorChain, uint> _completeAsync;

    // The virtqueue (not thread-safe), the chains not lent out, and whether the dispatcher waits for one to come back.
    private readonly Lock _ring = new();
    private readonly Stack<DescriptorChain> _free = new();
    private bool _waitingForRoom;

    // Chains handed to the server threads, and those threads (a monitor: idle servers sleep on it).
    private readonly object _work = new();
    private readonly Queue<DescriptorChain> _pending = new();
    private readonly List<Thread> _servers = [];
    private int _idleServers;
    private bool _stopping;

    /// <param name="serve">Serves one chain and returns the bytes it wrote into the chain (the used length).</param>
    /// <param name="maxInFlight">How many chains may be served at once (1: one at a time, on the queue's thread).</param>
    /// <param name="asyncServer">Serves the chains it takes without threads; the worker owns it (disposes it).</param>
    public QueueWorker(string name, int index, Virtqueue queue, EventFd kick, IVirtioInterrupt interrupt, Func<DescriptorChain, uint> serve, int maxInFlight = 1, IAsyncChainServer? asyncServer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        _name = name;
        _index = index;
        _queue = queue;
        _kick = kick;
        _interrupt = interrupt;
        _serve = serve;
        _maxInFlight = maxInFlight;
        _async = asyncServer;
        _declined = ServeOrDispatch;
        _completeAsync = AddUsed;
        for (int i = 0; i < maxInFlight; i++)
        {
            _free.Push(queue.CreateChain());
        }

        _thread = new Thread(Run) { Name = $"{name}:q{index}", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Server threads started so far (they stay until the queue stops).</summary>
    public int ServerThreads
    {
        get
        {
            lock (_work)
            {
                return _servers.Count;
            }
        }
    }

    /// <summary>Stops the threads and waits for them (requests being served complete first; queued ones are dropped).</summary>
    public void Dispose()
    {
        _stop.Signal();
        if (Thread.CurrentThread != _thread && !_thread.Join(TimeSpan.FromSeconds(30)))
        {
            s_log.Error("{Device}: queue {Queue}'s thread did not stop within 30 s", _name, _index);
            return;
        }

        Thread[] servers;
        lock (_work)
        {
            _stopping = true;
            _pending.Clear();
            Monitor.PulseAll(_work);
            servers = [.. _servers];
        }

        foreach (var server in servers)
        {
            if (Thread.CurrentThread != server && !server.Join(TimeSpan.FromSeconds(30)))
            {
                s_log.Error("{Device}: a server thread of queue {Queue} did not stop within 30 s", _name, _index);
                return;
            }
        }

        _async?.Dispose();
        _stop.Dispose();
        _room.Dispose();
    }

    private void Run()
    {
        EventFd[] waits = _async is null ? [_kick, _stop, _room] : [_kick, _stop, _room, _async.Completions];
        Span<bool> ready = stackalloc bool[4];
        try
        {
            // Buffers made available before the device started (or before a kick we missed) are served first.
            Drain();
            while (true)
            {
                EventFd.WaitAny(waits, ready, -1);
                if (ready[1])
                {
                    return;
                }

                if (ready[0])
                {
                    _kick.TryConsume();
                }

                if (ready[2])
                {
                    _room.TryConsume();
                }

                if (_async is not null && ready[3])
                {
                    ReapAsync();
                }

                Drain();
            }
        }
        catch (Exception e)
        {
            s_log.Error(e, "{Device}: queue {Queue}'s thread failed", _name, _index);
            _interrupt.Fail();
        }
    }

    private void Drain()
    {
        try
        {
            DrainRing();
        }
        finally
        {
            // The chains the async server took start now, as one batch (it declines to the synchronous path).
            _async?.Submit(_declined);
        }
    }

    private void DrainRing()
    {
        while (true)
        {
            while (true)
            {
                DescriptorChain? chain;
                lock (_ring)
                {
                    if (_queue.IsFailed)
                    {
                        return;
                    }

                    _queue.DisableNotifications();
                    if (!_free.TryPop(out chain))
                    {
                        // Every chain is out: the next one back signals _room (notifications stay off meanwhile).
                        _waitingForRoom = true;
                        return;
                    }

                    var result = _queue.TryPop(chain);
                    if (result == QueuePop.Broken)
                    {
                        s_log.Warn("{Device}: queue {Queue} is broken: {Error}", _name, _index, chain.Error);
                        _free.Push(chain);
                        _interrupt.Fail();
                        return;
                    }

                    if (result == QueuePop.Empty)
                    {
                        _free.Push(chain);
                        break;
                    }
                }

                if (_async?.TryStart(chain) != true)
                {
                    ServeOrDispatch(chain);
                }
            }

            // Started chains go to the host before the ring is re-armed (the guest may wait on them).
            _async?.Submit(_declined);

            lock (_ring)
            {
                if (!_queue.EnableNotifications())
                {
                    return;
                }
            }
        }
    }

    private void ServeOrDispatch(DescriptorChain chain)
    {
        if (_maxInFlight == 1)
        {
            Complete(chain, _serve(chain));
        }
        else
        {
            Dispatch(chain);
        }
    }

    /// <summary>Collects the async server's finished chains: all on the used ring, then one interrupt if the driver asked.</summary>
    private void ReapAsync()
    {
        _async!.Reap(_completeAsync);
        bool notify;
        lock (_ring)
        {
            notify = _queue.NeedsInterrupt();
            _waitingForRoom = false; // Drain runs next on this thread
        }

        if (notify)
        {
            _interrupt.NotifyQueue(_index);
        }
    }

    private void AddUsed(DescriptorChain chain, uint written)
    {
        lock (_ring)
        {
            _queue.TryAddUsed(chain.Head, written);
            _free.Push(chain);
        }
    }

    /// <summary>Hands a chain to an idle server, or starts one while fewer than maxInFlight run.</summary>
    private void Dispatch(DescriptorChain chain)
    {
        lock (_work)
        {
            _pending.Enqueue(chain);
            if (_idleServers > 0)
            {
                _idleServers--;
                Monitor.Pulse(_work);
            }
            else if (_servers.Count < _maxInFlight)
            {
                var server = new Thread(Serve) { Name = $"{_name}:q{_index}:io{_servers.Count}", IsBackground = true };
                _servers.Add(server);
                server.Start();
            }

            // Otherwise every server is busy: the first one done takes it.
        }
    }

    private void Serve()
    {
        try
        {
            while (true)
            {
                DescriptorChain chain;
                lock (_work)
                {
                    while (_pending.Count == 0)
                    {
                        if (_stopping)
                        {
                            return;
                        }

                        _idleServers++;
                        Monitor.Wait(_work);
                    }

                    chain = _pending.Dequeue();
                }

                Complete(chain, _serve(chain));
            }
        }
        catch (Exception e)
        {
            s_log.Error(e, "{Device}: a server thread of queue {Queue} failed", _name, _index);
            _interrupt.Fail();
        }
    }

    /// <summary>Puts a served chain on the used ring, interrupts the driver if it asked, and lends the chain out again.</summary>
    private void Complete(DescriptorChain chain, uint written)
    {
        bool notify, wake;
        lock (_ring)
        {
            _queue.TryAddUsed(chain.Head, written);
            notify = _queue.NeedsInterrupt();
            _free.Push(chain);
            wake = _waitingForRoom;
            _waitingForRoom = false;
        }

        if (notify)
        {
            _interrupt.NotifyQueue(_index);
        }

        if (wake)
        {
            _room.Signal();
        }
    }
}
