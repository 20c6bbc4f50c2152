using Kvm.Vmm.Devices.Virtio;
using Kvm.Vmm.Interop;
using NLog;

namespace Kvm.Vmm.Vhost;

/// <summary>
/// A thread that turns vhost's call eventfds into the transport's queue interrupts, and its error eventfds into a
/// failed device. Going through the transport (rather than giving vhost the MSI-X irqfd itself) keeps MSI-X masking,
/// pending bits and INTx correct with no more code; the cost is one thread wake-up per interrupt.
/// </summary>
internal sealed class VhostCallRelay : IDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly string _device;
    private readonly int[] _queues;
    private readonly EventFd[] _waits; // stop, then the calls, then the errors
    private readonly IVirtioInterrupt _interrupt;
    private readonly EventFd _stop = EventFd.Create();
    private readonly Thread _thread;

    public VhostCallRelay(string device, int[] queues, EventFd[] calls, EventFd[] errors, IVirtioInterrupt interrupt)
    {
        _device = device;
        _queues = queues;
        _interrupt = interrupt;
        _waits = [_stop, .. calls, .. errors];
        _thread = new Thread(Run) { IsBackground = true, Name = $"vhost:{device}" };
        _thread.Start();
    }

    public void Dispose()
    {
        _stop.Signal();
        _thread.Join();
        _stop.Dispose();
    }

    private void Run()
    {
        using var scope = ScopeContext.PushProperty("Device", _device);
        Span<bool> ready = stackalloc bool[_waits.Length];
        while (true)
        {
            if (!EventFd.WaitAny(_waits, ready, -1))
            {
                continue; // EINTR
            }

            if (ready[0])
            {
                return;
            }

            for (int i = 0; i < _queues.Length; i++)
            {
                if (ready[1 + i] && _waits[1 + i].TryConsume())
                {
                    _interrupt.NotifyQueue(_queues[i]);
                }

                if (ready[1 + _queues.Length + i] && _waits[1 + _queues.Length + i].TryConsume())
                {
                    s_log.Warn("{Device}: the kernel stopped queue {Queue} (the guest gave it a bad ring or descriptor)", _device, _queues[i]);
                    _interrupt.Fail();
                }
            }
        }
    }
}
