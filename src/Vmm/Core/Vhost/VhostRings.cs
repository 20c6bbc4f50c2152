using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kvm.Vmm.Devices.Virtio;
using Kvm.Vmm.Interop;
using NLog;

namespace Kvm.Vmm.Vhost;

/// <summary>
/// Hands a device's queues to a vhost device at DRIVER_OK and takes them back at reset: the part every vhost device
/// type shares (vsock now, net later). Rings are checked before the kernel sees them (the transport already checked
/// size, alignment and RAM; here each ring must also lie in one host mapping, since vhost takes host addresses).
/// The guest's doorbell is the transport's ioeventfd, given to vhost as the kick; vhost's call eventfd goes through
/// <see cref="VhostCallRelay"/> to the transport's interrupt (MSI-X, or INTx), and its error eventfd fails the device.
/// </summary>
public sealed class VhostRings : IDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly VhostDevice _vhost;
    private readonly int[] _queues;
    private readonly EventFd[] _calls;
    private readonly EventFd[] _errors;
    private VhostCallRelay? _relay;
    private bool _started;

    /// <param name="queues">The virtio queue index of each vhost queue (vhost queue i is virtio queue queues[i]).</param>
    public VhostRings(VhostDevice vhost, params int[] queues)
    {
        _vhost = vhost;
        _queues = queues;
        _calls = [.. queues.Select(_ => EventFd.Create())];
        _errors = [.. queues.Select(_ => EventFd.Create())];
    }

    /// <summary>
    /// Gives the kernel the memory table, the accepted features and each queue. False (with the reason, the guest's or
    /// the kernel's) when a queue is missing or unusable: the caller fails the device; nothing is left running.
    /// </summary>
    public bool TryStart(VirtioActivation activation, ulong features, string device, out string? error)
    {
        Stop();
        if ((features & ~_vhost.Features) != 0)
        {
            error = $"the driver accepted features 0x{features & ~_vhost.Features:x} the kernel's vhost lacks";
            return false;
        }

        var rings = new (nint Desc, nint Avail, nint Used, ushort Size)[_queues.Length];
        for (int i = 0; i < _queues.Length; i++)
        {
            int index = _queues[i];
            if (index >= activation.Queues.Count || activation.Queues[index] is not { } queue)
            {
                error = $"queue {index} was not enabled by the driver";
                return false;
            }

            if (!TryHost(activation, queue.DescriptorTable, VirtqueueLayout.DescriptorTableBytes(queue.Size), out rings[i].Desc)
                || !TryHost(activation, queue.AvailableRing, VirtqueueLayout.AvailableRingBytes(queue.Size), out rings[i].Avail)
                || !TryHost(activation, queue.UsedRing, VirtqueueLayout.UsedRingBytes(queue.Size), out rings[i].Used))
            {
                error = $"queue {index}'s rings do not each lie in one region of guest RAM";
                return false;
            }

            rings[i].Size = queue.Size;
        }

        try
        {
            _vhost.SetFeatures(features);
            _vhost.SetMemoryTable(activation.Memory.Regions);
            for (int i = 0; i < _queues.Length; i++)
            {
                _calls[i].TryConsume();
                _errors[i].TryConsume();
                _vhost.SetVring((uint)i, rings[i].Size, 0, rings[i].Desc, rings[i].Avail, rings[i].Used);
                _vhost.SetKick((uint)i, activation.Kicks[_queues[i]]);
                _vhost.SetCall((uint)i, _calls[i]);
                _vhost.SetError((uint)i, _errors[i]);
            }
        }
        catch (VhostException e)
        {
            _started = true; // some rings may be set: Stop takes them back
            Stop();
            error = e.Message;
            return false;
        }

        _started = true;
        _relay = new VhostCallRelay(device, _queues, _calls, _errors, activation.Interrupt);
        error = null;
        return true;
    }

    /// <summary>
    /// Takes the queues back and stops relaying interrupts: VHOST_GET_VRING_BASE reads each queue's position. The
    /// device type stops the kernel's datapath first with its own call (vsock: VHOST_VSOCK_SET_RUNNING 0; net: no backend).
    /// </summary>
    public void Stop()
    {
        _relay?.Dispose();
        _relay = null;
        if (!_started)
        {
            return;
        }

        _started = false;
        for (int i = 0; i < _queues.Length; i++)
        {
            try
            {
                _vhost.StopVring((uint)i);
            }
            catch (VhostException e)
            {
                s_log.Debug("{Path}: queue {Queue} did not stop: {Error}", _vhost.Path, i, e.Message);
            }
        }
    }

    public void Dispose()
    {
        Stop();
        foreach (var fd in _calls.Concat(_errors))
        {
            fd.Dispose();
        }
    }

    /// <summary>The host address of guest range [address, address + length) when it lies in one region.</summary>
    private static unsafe bool TryHost(VirtioActivation activation, ulong address, ulong length, out nint host)
    {
        if (length > int.MaxValue || !activation.Memory.TryGetSpan(address, (int)length, out var span))
        {
            host = 0;
            return false;
        }

        // SAFETY: the span is guest RAM, mapped for the machine's lifetime; only its address is taken.
        host = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));
        return true;
    }
}
