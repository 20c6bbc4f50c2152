using Kvm.Vmm.Interop;
using NLog;

namespace Kvm.Vmm.Devices.Virtio;

/// <summary>
/// The thread that serves one virtqueue: it sleeps on the queue's doorbell eventfd (signalled by KVM, no vCPU exit),
/// drains the ring with notifications off, turns them back on and drains again if buffers arrived meanwhile, and
/// interrupts the driver once per batch. A chain the guest malformed fails the queue and the device
/// (<see cref="IVirtioInterrupt.Fail"/>): the thread then only waits for the reset. Nothing here runs on a vCPU thread.
/// </summary>
public sealed class QueueWorker : IDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Virtqueue _queue;
    private readonly int _index;
    private readonly EventFd _kick;
    private readonly EventFd _stop = EventFd.Create();
    private readonly IVirtioInterrupt _interrupt;
    private readonly Func<DescriptorChain, uint> _serve;
    private readonly Thread _thread;
    private readonly string _name;

    /// <param name="serve">Serves one chain and returns the bytes it wrote into the chain (the used length).</param>
    public QueueWorker(string name, int index, Virtqueue queue, EventFd kick, IVirtioInterrupt interrupt, Func<DescriptorChain, uint> serve)
    {
        _name = name;
        _index = index;
        _queue = queue;
        _kick = kick;
        _interrupt = interrupt;
        _serve = serve;
        _thread = new Thread(Run) { Name = $"{name}:q{index}", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Stops the thread and waits for it (the request it is serving completes first).</summary>
    public void Dispose()
    {
        _stop.Signal();
        if (Thread.CurrentThread != _thread && !_thread.Join(TimeSpan.FromSeconds(30)))
        {
            s_log.Error("{Device}: queue {Queue}'s thread did not stop within 30 s", _name, _index);
            return;
        }

        _stop.Dispose();
    }

    private void Run()
    {
        EventFd[] waits = [_kick, _stop];
        Span<bool> ready = stackalloc bool[2];
        var chain = _queue.CreateChain();
        try
        {
            // Buffers made available before the device started (or before a kick we missed) are served first.
            Drain(chain);
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
                    Drain(chain);
                }
            }
        }
        catch (Exception e)
        {
            s_log.Error(e, "{Device}: queue {Queue}'s thread failed", _name, _index);
            _interrupt.Fail();
        }
    }

    private void Drain(DescriptorChain chain)
    {
        if (_queue.IsFailed)
        {
            return;
        }

        do
        {
            _queue.DisableNotifications();
            while (true)
            {
                var result = _queue.TryPop(chain);
                if (result == QueuePop.Empty)
                {
                    break;
                }

                if (result == QueuePop.Broken)
                {
                    s_log.Warn("{Device}: queue {Queue} is broken: {Error}", _name, _index, chain.Error);
                    _interrupt.Fail();
                    return;
                }

                uint written = _serve(chain);
                _queue.TryAddUsed(chain.Head, written);
            }

            if (_queue.NeedsInterrupt())
            {
                _interrupt.NotifyQueue(_index);
            }
        }
        while (_queue.EnableNotifications());
    }
}
