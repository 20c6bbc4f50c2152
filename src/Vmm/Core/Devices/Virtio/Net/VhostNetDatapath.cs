using Kvm.Vmm.Net;
using Kvm.Vmm.Vhost;
using NLog;
using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Devices.Virtio.Net;

/// <summary>
/// The kernel datapath of one queue pair of a <see cref="VirtioNet"/> on a tap queue (one /dev/vhost-net per pair, as
/// QEMU opens them; pair N is virtio's receiveqN 2N and transmitqN 2N+1, vhost's queues 0 and 1): at DRIVER_OK the receive and transmit queues go to
/// vhost-net (rings checked by <see cref="VhostRings"/> first), the tap's header size follows the accepted features and
/// the tap becomes each queue's backend while the link is up; a link set down detaches the tap, so no frame moves
/// either way (as QEMU stops vhost on a link down). Reset takes the rings back. The configuration space (MAC, status,
/// MTU) stays the device's. Errors fail this device only. Its own lock: <see cref="SetLink"/> comes from the monitor.
/// </summary>
internal sealed class VhostNetDatapath : IDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly VhostNet _vhost;
    private readonly TapBackend _tap;
    private readonly string _name;
    private readonly VhostRings _rings;
    private readonly Lock _gate = new();
    private VirtioActivation? _activation;
    private bool _attached;
    private bool _linkUp;

    public VhostNetDatapath(VhostNet vhost, TapBackend tap, string name, bool linkUp, int pair = 0)
    {
        _vhost = vhost;
        _tap = tap;
        _name = name;
        _linkUp = linkUp;
        // vhost-net's VHOST_NET_VQ_RX 0 and VHOST_NET_VQ_TX 1 are this pair's virtio queues.
        _rings = new VhostRings(vhost.Device, (2 * pair) + H.ReceiveQueue, (2 * pair) + H.TransmitQueue);
    }


    /// <summary>Hands the queues to the kernel; false (with the guest's or the kernel's reason) leaves nothing running.</summary>
    public bool TryStart(VirtioActivation activation, out string? error)
    {
        lock (_gate)
        {
            StopLocked();
            int headerSize = VhostNetFeatures.HeaderSize(activation.Features);
            if (!_tap.TrySetHeaderSize(headerSize))
            {
                error = $"tap {_tap.Name} refused a {headerSize}-byte virtio-net header";
                return false;
            }

            if (!_rings.TryStart(activation, VhostNetFeatures.ForKernel(activation.Features), _name, out error))
            {
                return false;
            }

            _activation = activation;
            if (_linkUp && !TryAttach(out error))
            {
                StopLocked();
                return false;
            }

            s_log.Debug("{Device}: vhost-net serves the queues with a {Size}-byte header", _name, headerSize);
            return true;
        }
    }

    /// <summary>Attaches the tap (up) or detaches it (down) while the queues are in the kernel; remembered for the next start.</summary>
    public void SetLink(bool up)
    {
        lock (_gate)
        {
            _linkUp = up;
            if (_activation is not { } activation || _attached == up)
            {
                return;
            }

            string? error = null;
            if (up ? !TryAttach(out error) : !TryDetach(out error))
            {
                s_log.Warn("{Device}: vhost-net link {State} failed, the device needs a reset: {Error}", _name, up ? "up" : "down", error);
                StopLocked();
                activation.Interrupt.Fail();
            }
        }
    }

    /// <summary>Detaches the tap and takes the rings back (driver reset, or the machine's end).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            StopLocked();
        }
    }

    public void Dispose()
    {
        Stop();
        _rings.Dispose();
    }

    private void StopLocked()
    {
        if (_attached && !TryDetach(out string? error))
        {
            s_log.Debug("{Device}: {Error}", _name, error);
        }

        _attached = false;
        _rings.Stop();
        _activation = null;
    }

    private bool TryAttach(out string? error) => TrySetBackend((int)_tap.ReadHandle.DangerousGetHandle(), attached: true, out error);

    private bool TryDetach(out string? error) => TrySetBackend(-1, attached: false, out error);

    private bool TrySetBackend(int fd, bool attached, out string? error)
    {
        try
        {
            _vhost.SetBackend(H.ReceiveQueue, fd);
            _vhost.SetBackend(H.TransmitQueue, fd);
            _attached = attached;
            error = null;
            return true;
        }
        catch (VhostException e)
        {
            _attached = true; // one queue may have it: a stop detaches both
            error = e.Message;
            return false;
        }
    }
}
