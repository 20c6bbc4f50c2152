using System.Buffers.Binary;
using Kvm.Vmm.Net;
using Kvm.Vmm.Vhost;
using NLog;
using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Devices.Virtio.Net;

/// <summary>
/// virtio-net (virtio 1.2, 5.1) over an <see cref="INetBackend"/>: one receive and one transmit queue, the MAC, the
/// link status and the MTU in its configuration, frames passed with their 12-byte header. Checksum and TCP
/// segmentation offloads are offered both ways when the backend can carry them: the guest's headers then go to the
/// backend as they are (the host kernel checks them), and the backend is told which offloads the guest accepts. The queues are served by one thread of the device's
/// (<see cref="VirtioNetWorker"/>); a chain the guest malformed breaks this device alone (DEVICE_NEEDS_RESET).
/// Given a <see cref="VhostNet"/> (a tap backend only), the queues run in the kernel instead
/// (<see cref="VhostNetDatapath"/>), with MRG_RXBUF offered when vhost-net has it; the configuration stays here.
/// </summary>
public sealed class VirtioNet : IVirtioDevice
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly VirtioNetConfig _config;
    private readonly INetBackend _backend;
    private readonly Lock _gate = new();
    private readonly VhostNetDatapath? _kernel;
    private VirtioNetWorker? _worker;
    private VirtioActivation? _activation;
    private volatile bool _linkUp;
    private long _threadFailures;

    /// <param name="vhost">The kernel datapath (null: this device's own thread); needs a <see cref="TapBackend"/>.</param>
    public VirtioNet(INetBackend backend, VirtioNetConfig config, VhostNet? vhost = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(config);
        if (config.Mac.Length != 6 || (config.Mac[0] & 1) != 0)
        {
            throw new ArgumentException("The MAC must be six bytes and unicast", nameof(config));
        }

        _backend = backend;
        _config = config;
        _linkUp = config.LinkUp;
        Features = H.FeatureMac | H.FeatureStatus | (config.Mtu is null ? 0 : H.FeatureMtu) | OffloadFeatures(backend.SupportedOffloads);
        if (vhost is not null)
        {
            if (backend is not TapBackend tap)
            {
                throw new ArgumentException("vhost-net needs a tap backend", nameof(vhost));
            }

            _kernel = new VhostNetDatapath(vhost, tap, config.Name, config.LinkUp);
            Features = VhostNetFeatures.Offer(Features, vhost.Device.Features);
        }

        s_log.Info("{Device}: datapath {Datapath} on {Backend}", config.Name, Datapath, backend.Name);
    }

    /// <summary>Exceptions the device's thread stopped on (a bug of ours, never the guest's doing; tests assert none).</summary>
    internal long ThreadFailures => Interlocked.Read(ref _threadFailures);

    public ushort DeviceType => 1;

    public uint PciClassCode => 0x02_00_00; // network controller, Ethernet, as QEMU's virtio-net-pci

    public string Name => _config.Name;

    public ulong Features { get; }

    public int QueueCount => 2;

    public ushort QueueMaxSize => _config.QueueSize;

    public int ConfigSize => H.ConfigSize;

    public INetBackend Backend => _backend;

    /// <summary>Counters of the userspace datapath (the kernel's datapath does not count here; the tap's own counters do).</summary>
    public NetStats Stats { get; } = new();

    /// <summary>Which datapath moves the frames: "vhost-net" (the kernel) or "userspace" (this device's thread).</summary>
    public string Datapath => _kernel is null ? "userspace" : "vhost-net";

    /// <summary>The guest's MAC address, as libvirt writes it (52:54:00:...).</summary>
    public string MacText => string.Join(':', _config.Mac.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Whether the link is up (VIRTIO_NET_S_LINK_UP); a down link drops frames both ways.</summary>
    public bool LinkUp => _linkUp;

    public void ReadConfig(int offset, Span<byte> data)
    {
        Span<byte> config = stackalloc byte[H.ConfigSize];
        _config.Mac.CopyTo(config[H.ConfigMacOffset..]);
        BinaryPrimitives.WriteUInt16LittleEndian(config[H.ConfigStatusOffset..], _linkUp ? H.StatusLinkUp : (ushort)0);
        BinaryPrimitives.WriteUInt16LittleEndian(config[H.ConfigMaxPairsOffset..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(config[H.ConfigMtuOffset..], _config.Mtu ?? 1500);
        if (offset >= 0 && data.Length <= H.ConfigSize && offset <= H.ConfigSize - data.Length)
        {
            config.Slice(offset, data.Length).CopyTo(data);
        }
        else
        {
            data.Clear();
        }
    }

    public void WriteConfig(int offset, ReadOnlySpan<byte> data)
    {
        // The MAC is writable only with VIRTIO_NET_F_CTRL_MAC_ADDR's legacy path, which is not offered.
    }

    public void Activate(VirtioActivation activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        lock (_gate)
        {
            Volatile.Write(ref _activation, activation);
            if (_backend.SupportedOffloads != NetOffloads.None)
            {
                _backend.TrySetOffloads(GuestOffloads(activation));
            }

            if (_kernel is null)
            {
                _worker = new VirtioNetWorker(this, activation);
            }
            else if (!_kernel.TryStart(activation, out string? error))
            {
                s_log.Warn("{Device}: cannot start vhost-net, the device needs a reset: {Error}", Name, error);
                activation.Interrupt.Fail();
            }
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _worker?.Dispose();
            _worker = null;
            _kernel?.Stop();
            if (Volatile.Read(ref _activation) is not null && _backend.SupportedOffloads != NetOffloads.None)
            {
                _backend.TrySetOffloads(NetOffloads.None); // the next driver may accept none
            }

            Volatile.Write(ref _activation, null);
        }
    }

    /// <summary>Sets the link up or down (QMP set_link): the guest sees the status change through a configuration interrupt.</summary>
    public void SetLink(bool up)
    {
        // No lock: the device's own thread calls this (a backend gone), and Reset holds the gate while it joins that thread.
        if (_linkUp == up)
        {
            return;
        }

        _linkUp = up;
        _kernel?.SetLink(up);
        s_log.Info("{Device}: link {State}", Name, up ? "up" : "down");
        Volatile.Read(ref _activation)?.Interrupt.NotifyConfigChange();
    }

    /// <summary>The offload features to offer over a backend that can carry <paramref name="offloads"/>.</summary>
    private static ulong OffloadFeatures(NetOffloads offloads)
    {
        if ((offloads & NetOffloads.Checksum) == 0)
        {
            return 0;
        }

        ulong features = H.FeatureCsum | H.FeatureGuestCsum;
        if ((offloads & NetOffloads.Tso4) != 0)
        {
            features |= H.FeatureHostTso4 | H.FeatureGuestTso4;
        }

        if ((offloads & NetOffloads.Tso6) != 0)
        {
            features |= H.FeatureHostTso6 | H.FeatureGuestTso6;
        }

        return features;
    }

    /// <summary>What the backend may hand the guest: what its driver accepted (segmentation only with checksums, 5.1.3.1).</summary>
    private static NetOffloads GuestOffloads(VirtioActivation activation)
    {
        if (!activation.Has(H.FeatureGuestCsum))
        {
            return NetOffloads.None;
        }

        return NetOffloads.Checksum
            | (activation.Has(H.FeatureGuestTso4) ? NetOffloads.Tso4 : NetOffloads.None)
            | (activation.Has(H.FeatureGuestTso6) ? NetOffloads.Tso6 : NetOffloads.None);
    }

    internal void CountThreadFailure() => Interlocked.Increment(ref _threadFailures);

    /// <summary>Stops the queues; the backend and vhost-net stay open (their owner closes them when the VM stops).</summary>
    public void Dispose()
    {
        Reset();
        _kernel?.Dispose();
    }
}
