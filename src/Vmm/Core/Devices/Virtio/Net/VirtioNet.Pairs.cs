using Kvm.Vmm.Net;
using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Devices.Virtio.Net;

/// <summary>
/// The queue pairs and the control queue. At DRIVER_OK pair 0 alone moves frames (5.1.5: until VQ_PAIRS_SET); the
/// kernel datapath starts every pair whose queues the driver enabled (only pair 0 without VIRTIO_NET_F_MQ), as QEMU's
/// vhost does, and the tap queues of inactive pairs are detached so that the host steers no frame to them. A
/// VQ_PAIRS_SET from the control queue's thread attaches the pairs' tap queues and starts their threads (userspace) or
/// detaches and stops them. <see cref="_pairsGate"/> guards this against the reset (which stops the control queue's
/// thread first, outside it).
/// </summary>
public sealed partial class VirtioNet
{
    private readonly Lock _pairsGate = new();
    private readonly VirtioNetWorker?[] _workers;
    private QueueWorker? _control;
    private VirtioNetControl? _controlHandler;
    private int _usablePairs;
    private int _activePairs;

    /// <summary>The pairs moving frames now (1 until the driver sets more; 0 before DRIVER_OK).</summary>
    public int ActivePairs
    {
        get
        {
            lock (_pairsGate)
            {
                return _activePairs;
            }
        }
    }

    /// <summary>The control queue's state (receive modes, filters) while the driver has one; null otherwise.</summary>
    internal VirtioNetControl? Control => Volatile.Read(ref _controlHandler);

    /// <summary>The control queue's index: after every pair with VIRTIO_NET_F_MQ, else 2 (5.1.2).</summary>
    private int ControlQueue(VirtioActivation activation) => activation.Has(H.FeatureMq) ? 2 * QueuePairs : 2;

    /// <summary>Starts pair 0 (and, in the kernel, the pairs it will serve); false when the device failed.</summary>
    private bool StartPairs(VirtioActivation activation)
    {
        lock (_pairsGate)
        {
            _usablePairs = activation.Has(H.FeatureMq) ? QueuePairs : 1;
            if (_kernels is null)
            {
                _workers[0] = new VirtioNetWorker(this, activation, 0, _backends[0]);
            }
            else
            {
                for (int pair = 0; pair < _usablePairs; pair++)
                {
                    if (!_kernels[pair].TryStart(activation, out string? error))
                    {
                        if (pair == 0)
                        {
                            s_log.Warn("{Device}: cannot start vhost-net, the device needs a reset: {Error}", Name, error);
                            activation.Interrupt.Fail();
                            return false;
                        }

                        s_log.Warn("{Device}: vhost-net cannot serve queue pair {Pair}, the driver may use {Pairs}: {Error}", Name, pair, pair, error);
                        _usablePairs = pair;
                        break;
                    }
                }
            }

            _activePairs = 1;
            for (int pair = 1; pair < QueuePairs; pair++)
            {
                (_backends[pair] as TapBackend)?.TrySetQueueEnabled(false);
            }

            return true;
        }
    }

    private void StopPairs()
    {
        lock (_pairsGate)
        {
            for (int pair = 0; pair < QueuePairs; pair++)
            {
                _workers[pair]?.Dispose();
                _workers[pair] = null;
                _kernels?[pair].Stop();
                (_backends[pair] as TapBackend)?.TrySetQueueEnabled(true); // attached again: the next start sets each one's header size
            }

            _activePairs = 0;
            _usablePairs = 0;
        }
    }

    private void StartControl(VirtioActivation activation)
    {
        int index = ControlQueue(activation);
        if (!activation.Has(H.FeatureCtrlVq) || index >= activation.Queues.Count || activation.Queues[index] is not { } queue)
        {
            return;
        }

        var handler = new VirtioNetControl(Name, activation.Memory, activation.Features, QueuePairs, SetActivePairs, SetMac);
        Volatile.Write(ref _controlHandler, handler);
        _control = new QueueWorker($"{Name}:ctrl", index, queue, activation.Kicks[index], activation.Interrupt, handler.Serve);
    }

    private void StopControl()
    {
        _control?.Dispose();
        _control = null;
        Volatile.Write(ref _controlHandler, null);
    }

    /// <summary>VQ_PAIRS_SET: pairs 0..n-1 move frames from now on; false (VIRTIO_NET_ERR) when some cannot.</summary>
    private bool SetActivePairs(int pairs)
    {
        lock (_pairsGate)
        {
            if (Volatile.Read(ref _activation) is not { } activation || pairs > _usablePairs)
            {
                return false;
            }

            for (int pair = 1; pair < pairs && _kernels is null; pair++)
            {
                if (activation.Queues[2 * pair] is null || activation.Queues[(2 * pair) + 1] is null)
                {
                    return false; // the driver did not enable this pair's queues
                }
            }

            for (int pair = 1; pair < QueuePairs; pair++)
            {
                var tap = _backends[pair] as TapBackend;
                if (pair < pairs)
                {
                    if (tap?.TrySetQueueEnabled(true) == false)
                    {
                        return false;
                    }

                    if (_kernels is null)
                    {
                        _workers[pair] ??= new VirtioNetWorker(this, activation, pair, _backends[pair]);
                    }
                }
                else
                {
                    _workers[pair]?.Dispose();
                    _workers[pair] = null;
                    tap?.TrySetQueueEnabled(false);
                }
            }

            if (_activePairs != pairs)
            {
                s_log.Info("{Device}: {Pairs} queue pair(s) active", Name, pairs);
            }

            _activePairs = pairs;
            return true;
        }
    }

    /// <summary>MAC_ADDR_SET: the configuration space shows the driver's MAC until the next reset.</summary>
    private void SetMac(byte[] mac)
    {
        Volatile.Write(ref _mac, mac);
        s_log.Info("{Device}: the driver set the MAC {Mac}", Name, MacText);
    }
}
