using System.Runtime.InteropServices;
using Kvm.Vmm.Interop;
using Kvm.Vmm.Net;
using NLog;
using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Devices.Virtio.Net;

/// <summary>
/// The datapath of one queue pair of an activated <see cref="VirtioNet"/> (receiveqN 2N, transmitqN 2N+1) on that pair's
/// backend (a tap queue): a thread polling the transmit and receive doorbells, the
/// backend's descriptor and a stop eventfd. Transmit chains are copied out and written to the backend; frames the
/// backend has are read and copied into the guest's receive buffers. A frame that finds too few buffers waits in the
/// device, and the backend is not read, until the guest adds buffers and kicks (as QEMU holds a frame instead of
/// dropping it: TCP then slows down instead of losing segments); the backend's own queue bounds what waits in the
/// host, and transmit goes on meanwhile. With MRG_RXBUF a frame spreads over as many receive chains as it needs
/// (<see cref="ReceiveMerged"/>). A chain with the wrong direction, too short for the header or too long for a
/// frame breaks the device (<see cref="IVirtioInterrupt.Fail"/>); the thread then waits for the reset.
/// </summary>
internal sealed partial class VirtioNetWorker : IDisposable
{
    private const int FramesPerRound = 256; // receive at most this many before looking at the transmit queue again

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly VirtioNet _device;
    private readonly VirtioActivation _activation;
    private readonly INetBackend _backend;
    private readonly int _rxIndex;
    private readonly int _txIndex;
    private readonly Virtqueue? _rx;
    private readonly Virtqueue? _tx;
    private readonly DescriptorChain? _rxChain;
    private readonly DescriptorChain? _txChain;
    private readonly EventFd _stop = EventFd.Create();
    private readonly byte[] _buffer = new byte[H.Size + H.MaxFrame];   // transmit
    private readonly byte[] _rxBuffer = new byte[H.Size + H.MaxFrame]; // receive: may hold a frame waiting for buffers
    private readonly Thread _thread;
    private readonly bool _txOffloads;
    private readonly bool _rxOffloads;
    private readonly bool _mergeable;
    private readonly DescriptorChain? _rxMore;
    private readonly ushort[] _mergedHeads;
    private readonly uint[] _mergedLengths;
    private bool _broken;
    private bool _backendFailed;
    private int _waiting; // the length of the frame in _rxBuffer that waits for receive buffers, or 0

    public VirtioNetWorker(VirtioNet device, VirtioActivation activation, int pair, INetBackend backend)
    {
        _device = device;
        _activation = activation;
        _backend = backend;
        _rxIndex = (2 * pair) + H.ReceiveQueue;
        _txIndex = (2 * pair) + H.TransmitQueue;
        _rx = activation.Queues.Count > _rxIndex ? activation.Queues[_rxIndex] : null;
        _tx = activation.Queues.Count > _txIndex ? activation.Queues[_txIndex] : null;
        _rxChain = _rx?.CreateChain();
        _txOffloads = activation.Has(H.FeatureCsum);
        _rxOffloads = activation.Has(H.FeatureGuestCsum);
        _mergeable = activation.Has(H.FeatureMrgRxbuf) && _rx is not null;
        _rxMore = _mergeable ? _rx!.CreateChain() : null;
        _mergedHeads = _mergeable ? new ushort[_rx!.MaxSize] : [];
        _mergedLengths = _mergeable ? new uint[_rx!.MaxSize] : [];
        _txChain = _tx?.CreateChain();
        _thread = new Thread(Run) { Name = $"{device.Name}:net{pair}", IsBackground = true };
        _thread.Start();
    }

    public void Dispose()
    {
        _stop.Signal();
        if (Thread.CurrentThread != _thread && !_thread.Join(TimeSpan.FromSeconds(30)))
        {
            s_log.Error("{Device}: the network thread did not stop within 30 s", _device.Name);
            return;
        }

        _stop.Dispose();
    }

    private void Run()
    {
        SafeHandle backend = _backend.ReadHandle;
        bool added = false;
        try
        {
            backend.DangerousAddRef(ref added);
            Span<PollFd> fds =
            [
                new PollFd { Fd = _stop.Fd, Events = NetIo.PollIn },
                new PollFd { Fd = _activation.Kicks[_txIndex].Fd, Events = NetIo.PollIn },
                new PollFd { Fd = _activation.Kicks[_rxIndex].Fd, Events = NetIo.PollIn },
                new PollFd { Fd = (int)backend.DangerousGetHandle(), Events = NetIo.PollIn },
            ];
            Serve();
            while (true)
            {
                // A broken device only waits for its reset: the backend's frames stay queued in the host (which drops them).
                // A frame that waits for receive buffers leaves the backend unread until the guest kicks its receive queue.
                int result = NetIo.Poll(_broken ? fds[..1] : _backendFailed || _waiting > 0 ? fds[..3] : fds, -1);
                if (result < 0)
                {
                    s_log.Error("{Device}: poll failed: {Error}", _device.Name, Libc.ErrorText(-result));
                    _activation.Interrupt.Fail();
                    return;
                }

                if ((fds[0].ReturnedEvents & NetIo.PollIn) != 0)
                {
                    return;
                }

                if ((fds[1].ReturnedEvents & NetIo.PollIn) != 0)
                {
                    _activation.Kicks[_txIndex].TryConsume();
                }

                if ((fds[2].ReturnedEvents & NetIo.PollIn) != 0)
                {
                    _activation.Kicks[_rxIndex].TryConsume();
                }

                if (!_broken)
                {
                    Serve();
                }
            }
        }
        catch (Exception e)
        {
            s_log.Error(e, "{Device}: the network thread failed", _device.Name);
            _device.CountThreadFailure();
            _activation.Interrupt.Fail();
        }
        finally
        {
            if (added)
            {
                backend.DangerousRelease();
            }
        }
    }

    private void Serve()
    {
        if (_tx is not null && _txChain is not null)
        {
            Transmit(_tx, _txChain);
        }

        if (!_broken)
        {
            Receive();
        }
    }

    /// <summary>Sends every available transmit chain, then interrupts the driver once if it asked.</summary>
    private void Transmit(Virtqueue queue, DescriptorChain chain)
    {
        bool sent = false;
        do
        {
            queue.DisableNotifications();
            while (true)
            {
                var pop = queue.TryPop(chain);
                if (pop == QueuePop.Empty)
                {
                    break;
                }

                if (pop == QueuePop.Broken)
                {
                    Break($"transmit queue: {chain.Error}");
                    return;
                }

                if (TransmitError(chain) is { } error)
                {
                    Break(error);
                    return;
                }

                int length = (int)chain.ReadableBytes;
                chain.CopyFromReadable(_activation.Memory, 0, _buffer.AsSpan(0, length));

                // Without CSUM the guest may ask for no offload: whatever it put in the header, the host gets a plain
                // frame. With it, the header goes as it is (the host kernel validates it); num_buffers is not the host's.
                _buffer.AsSpan(_txOffloads ? H.OffloadFieldsSize : 0, _txOffloads ? H.Size - H.OffloadFieldsSize : H.Size).Clear();
                if (!_device.LinkUp || _backend.Write(_buffer.AsSpan(0, length)) < 0)
                {
                    _device.Stats.DroppedTx();
                }
                else
                {
                    _device.Stats.Sent(length - H.Size);
                }

                queue.TryAddUsed(chain.Head, 0);
                sent = true;
            }
        }
        while (queue.EnableNotifications());

        if (sent && queue.NeedsInterrupt())
        {
            _activation.Interrupt.NotifyQueue(_txIndex);
        }
    }

    private static string? TransmitError(DescriptorChain chain) => chain switch
    {
        { WritableBytes: > 0 } => $"transmit chain at head {chain.Head} has device-writable buffers",
        { ReadableBytes: < H.Size } => $"transmit chain at head {chain.Head} has {chain.ReadableBytes} bytes, less than the {H.Size}-byte header",
        { ReadableBytes: > H.Size + H.MaxFrame } => $"transmit chain at head {chain.Head} has {chain.ReadableBytes} bytes, more than a frame",
        _ => null,
    };

    /// <summary>
    /// Moves the backend's frames into receive buffers (a bounded number per round), the one that waited first; a frame
    /// that finds too few buffers waits (<c>_waiting</c>) and ends the round.
    /// </summary>
    private void Receive()
    {
        bool received = false;
        for (int i = 0; i < FramesPerRound; i++)
        {
            int length = _waiting;
            _waiting = 0;
            if (length == 0)
            {
                length = _backend.Read(_rxBuffer);
            }

            if (length <= 0)
            {
                if (length < 0)
                {
                    BackendFailed(length);
                }

                break;
            }

            if (length < H.Size || !_device.LinkUp || _rx is null || _rxChain is null)
            {
                _device.Stats.DroppedRx();
                continue;
            }

            // Without GUEST_CSUM the header carries no offload (and the backend was told so).
            if (!_rxOffloads)
            {
                _rxBuffer.AsSpan(0, H.OffloadFieldsSize).Clear();
            }

            if (_mergeable)
            {
                var merged = ReceiveMerged(_rx, length);
                if (merged == MergedReceive.Broken)
                {
                    return;
                }

                if (merged == MergedReceive.Waits)
                {
                    Wait(length);
                    break;
                }

                received = true;
                continue;
            }

            var pop = NextReceiveChain(_rx, _rxChain);
            if (pop == QueuePop.Broken)
            {
                Break($"receive queue: {_rxChain.Error}");
                return;
            }

            if (pop == QueuePop.Empty)
            {
                Wait(length);
                break;
            }

            if (ReceiveError(_rxChain) is { } error)
            {
                Break(error);
                return;
            }

            uint used = 0;
            if (_rxChain.WritableBytes < (ulong)length)
            {
                _device.Stats.DroppedRx(); // a buffer too small for this frame: returned empty, the driver drops it
            }
            else
            {
                // num_buffers is 1 without MRG_RXBUF (5.1.6.3.1).
                _rxBuffer[H.NumBuffersOffset] = 1;
                _rxBuffer[H.NumBuffersOffset + 1] = 0;
                used = (uint)_rxChain.CopyToWritable(_activation.Memory, 0, _rxBuffer.AsSpan(0, length));
                _device.Stats.Received(length - H.Size);
            }

            _rx.TryAddUsed(_rxChain.Head, used);
            received = true;
        }

        if (received && _rx is not null && _rx.NeedsInterrupt())
        {
            _activation.Interrupt.NotifyQueue(_rxIndex);
        }
    }

    /// <summary>
    /// Keeps the frame in <c>_rxBuffer[..length]</c> for the next round. The receive queue's notifications are on (the
    /// empty pop re-armed them), so the guest's next buffers kick the thread, which then tries this frame first.
    /// </summary>
    private void Wait(int length)
    {
        _waiting = length;
        _device.Stats.WaitedRx();
    }

    /// <summary>The next receive chain; an empty ring is looked at again after re-arming its notification (a buffer may have just come).</summary>
    private static QueuePop NextReceiveChain(Virtqueue queue, DescriptorChain chain)
    {
        var pop = queue.TryPop(chain);
        return pop == QueuePop.Empty && queue.EnableNotifications() ? queue.TryPop(chain) : pop;
    }

    private static string? ReceiveError(DescriptorChain chain) => chain switch
    {
        { ReadableBytes: > 0 } => $"receive chain at head {chain.Head} has device-readable buffers",
        { WritableBytes: < H.Size } => $"receive chain at head {chain.Head} has {chain.WritableBytes} bytes, less than the {H.Size}-byte header",
        _ => null,
    };

    private void Break(string reason)
    {
        _broken = true;
        s_log.Warn("{Device}: the guest broke the device, it needs a reset: {Reason}", _device.Name, reason);
        _activation.Interrupt.Fail();
    }

    /// <summary>The backend cannot be read any more (its tap went away): the link goes down and the backend is no longer polled.</summary>
    private void BackendFailed(int errno)
    {
        _backendFailed = true;
        s_log.Error("{Device}: reading from {Backend} failed, the link goes down: {Error}", _device.Name, _backend.Name, Libc.ErrorText(-errno));
        _device.SetLink(false);
    }
}
