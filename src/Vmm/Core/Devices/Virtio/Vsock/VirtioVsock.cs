using System.Buffers.Binary;
using Kvm.Vmm.Vhost;
using NLog;
using C = Kvm.Vmm.Devices.Virtio.Vsock.VirtioVsockConfig;

namespace Kvm.Vmm.Devices.Virtio.Vsock;

/// <summary>
/// virtio-vsock (virtio 1.2, 5.10) with the kernel's datapath: the rx and tx queues run in vhost-vsock, the event queue
/// stays here (the device only uses it for transport resets, after migration, so nothing is ever sent on it). The
/// guest's CID is claimed by <see cref="VhostVsock"/> before the machine is built; this device does not own it.
/// Anything the guest gets wrong at DRIVER_OK (rings outside RAM, features vhost lacks) fails this device only.
/// </summary>
public sealed class VirtioVsock : IVirtioDevice
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly VhostVsock _vhost;
    private readonly VhostRings _rings;
    private readonly Lock _gate = new();
    private bool _running;

    public VirtioVsock(VhostVsock vhost, string name = "vsock0")
    {
        _vhost = vhost;
        Name = name;
        _rings = new VhostRings(vhost.Device, C.RxQueue, C.TxQueue);
        Features = vhost.Device.Features & (C.FeatureStream | C.FeatureSeqPacket);
        s_log.Info("{Device}: guest CID {Cid}", name, vhost.Cid);
    }

    public ushort DeviceType => C.DeviceType;

    public uint PciClassCode => 0x00_ff_00; // unclassified, as QEMU's vhost-vsock-pci

    public string Name { get; }

    public ulong Features { get; }

    public int QueueCount => 3;

    public ushort QueueMaxSize => 128; // QEMU's vhost-vsock queue size

    public int ConfigSize => C.Size;

    /// <summary>The guest's context id, as the configuration space reports it.</summary>
    public uint Cid => _vhost.Cid;

    public void ReadConfig(int offset, Span<byte> data)
    {
        Span<byte> config = stackalloc byte[C.Size];
        BinaryPrimitives.WriteUInt64LittleEndian(config, _vhost.Cid);
        if ((uint)offset <= C.Size && (uint)data.Length <= (uint)(C.Size - offset))
        {
            config.Slice(offset, data.Length).CopyTo(data);
        }
    }

    public void WriteConfig(int offset, ReadOnlySpan<byte> data)
    {
        // 5.10.4: the configuration is read-only for the driver.
    }

    public void Activate(VirtioActivation activation)
    {
        lock (_gate)
        {
            if (!_rings.TryStart(activation, activation.Features, Name, out string? error))
            {
                s_log.Warn("{Device}: cannot start vhost-vsock, the device needs a reset: {Error}", Name, error);
                activation.Interrupt.Fail();
                return;
            }

            try
            {
                _vhost.SetRunning(true);
                _running = true;
                s_log.Debug("{Device}: vhost-vsock running for guest CID {Cid}", Name, _vhost.Cid);
            }
            catch (VhostException e)
            {
                s_log.Warn("{Device}: {Error}", Name, e.Message);
                _rings.Stop();
                activation.Interrupt.Fail();
            }
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            if (_running)
            {
                _running = false;
                try
                {
                    _vhost.SetRunning(false);
                }
                catch (VhostException e)
                {
                    s_log.Debug("{Device}: {Error}", Name, e.Message);
                }
            }

            _rings.Stop();
        }
    }

    public void Dispose()
    {
        Reset();
        _rings.Dispose();
    }
}
