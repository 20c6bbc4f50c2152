using System.Buffers.Binary;
using Kvm.Vmm.Net;
using Kvm.Vmm.Vhost;
using NLog;
using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Devices.Virtio.Net;

/// <summary>
/// virtio-net (virtio 1.2, 5.1) over <see cref="INetBackend"/>s: receive/transmit queue pairs (one backend, a tap queue,
/// each), the control queue last, and the MAC, the link status, the number of pairs and the MTU in its configuration;
/// frames pass with their 12-byte header. Checksum and TCP segmentation offloads are offered both ways when the backend
/// can carry them: the guest's headers then go to the backend as they are (the host kernel checks them), and the
/// backend is told which offloads the guest accepts. MRG_RXBUF is offered: a received frame may then fill several of
/// the guest's receive buffers (num_buffers in its header). Each active pair is served by a thread of the device's
/// (<see cref="VirtioNetWorker"/>); a chain the guest malformed breaks this device alone (DEVICE_NEEDS_RESET).
/// Given one <see cref="VhostNet"/> per pair (tap backends only), the pairs run in the kernel instead
/// (<see cref="VhostNetDatapath"/>), with MRG_RXBUF offered only when vhost-net has it; the configuration and the control
/// queue (<see cref="VirtioNetControl"/>) stay here. Until the driver sets the number of pairs, only pair 0 moves frames.
/// </summary>
public sealed partial class VirtioNet : IVirtioDevice
{
    /// <summary>The control-queue features, offered whatever the backend (QEMU offers them too).</summary>
    public const ulong ControlFeatures = H.FeatureCtrlVq | H.FeatureCtrlRx | H.FeatureCtrlVlan | H.FeatureCtrlMacAddr;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly VirtioNetConfig _config;
    private readonly INetBackend[] _backends;
    private readonly Lock _gate = new();
    private readonly VhostNetDatapath[]? _kernels;
    private VirtioActivation? _activation;
    private byte[] _mac;
    private volatile bool _linkUp;
    private long _threadFailures;

    /// <param name="vhost">The kernel datapath (null: this device's own thread); needs a <see cref="TapBackend"/>.</param>
    public VirtioNet(INetBackend backend, VirtioNetConfig config, VhostNet? vhost = null)
        : this([backend], config, vhost is null ? null : [vhost])
    {
    }

    /// <param name="backends">One backend per queue pair (<see cref="VirtioNetConfig.QueuePairs"/>): the queues of one multi-queue tap.</param>
    /// <param name="vhosts">One kernel datapath per pair (null: this device's own threads); needs <see cref="TapBackend"/>s.</param>
    public VirtioNet(IReadOnlyList<INetBackend> backends, VirtioNetConfig config, IReadOnlyList<VhostNet>? vhosts)
    {
        ArgumentNullException.ThrowIfNull(backends);
        ArgumentNullException.ThrowIfNull(config);
        if (config.Mac.Length != 6 || (config.Mac[0] & 1) != 0)
        {
            throw new ArgumentException("The MAC must be six bytes and unicast", nameof(config));
        }

        if (config.QueuePairs is < 1 or > H.MaxQueuePairs || backends.Count != config.QueuePairs || (vhosts is not null && vhosts.Count != config.QueuePairs))
        {
            throw new ArgumentException($"A device with {config.QueuePairs} queue pairs (1 to {H.MaxQueuePairs}) needs one backend (and vhost-net, if any) per pair", nameof(backends));
        }

        _backends = [.. backends];
        _config = config;
        _mac = config.Mac;
        _linkUp = config.LinkUp;
        _workers = new VirtioNetWorker?[config.QueuePairs];
        Features = H.FeatureMac | H.FeatureStatus | H.FeatureMrgRxbuf | (config.Mtu is null ? 0 : H.FeatureMtu) | OffloadFeatures(Backend.SupportedOffloads)
            | ControlFeatures | (config.QueuePairs > 1 ? H.FeatureMq : 0);
        if (vhosts is not null)
        {
            if (!_backends.All(b => b is TapBackend))
            {
                throw new ArgumentException("vhost-net needs a tap backend", nameof(vhosts));
            }

            _kernels = [.. vhosts.Select((vhost, pair) => new VhostNetDatapath(vhost, (TapBackend)_backends[pair], config.Name, config.LinkUp, pair))];
            Features = VhostNetFeatures.Offer(Features, vhosts[0].Device.Features);
        }

        s_log.Info("{Device}: datapath {Datapath} on {Backend}, {Pairs} queue pair(s)", config.Name, Datapath, Backend.Name, config.QueuePairs);
    }

    /// <summary>Exceptions the device's thread stopped on (a bug of ours, never the guest's doing; tests assert none).</summary>
    internal long ThreadFailures => Interlocked.Read(ref _threadFailures);

    public ushort DeviceType => 1;

    public uint PciClassCode => 0x02_00_00; // network controller, Ethernet, as QEMU's virtio-net-pci

    public string Name => _config.Name;

    public ulong Features { get; }

    /// <summary>Two per queue pair, then the control queue.</summary>
    public int QueueCount => (2 * _config.QueuePairs) + 1;

    /// <summary>The receive/transmit pairs the device has (max_virtqueue_pairs).</summary>
    public int QueuePairs => _config.QueuePairs;

    public ushort QueueMaxSize => _config.QueueSize;

    public int ConfigSize => H.ConfigSize;

    /// <summary>Pair 0's backend (the tap, or passt): its name is the host side's.</summary>
    public INetBackend Backend => _backends[0];

    /// <summary>Counters of the userspace datapath (the kernel's datapath does not count here; the tap's own counters do).</summary>
    public NetStats Stats { get; } = new();

    /// <summary>Which datapath moves the frames: "vhost-net" (the kernel) or "userspace" (this device's thread).</summary>
    public string Datapath => _kernels is null ? "userspace" : "vhost-net";

    /// <summary>The guest's MAC address, as libvirt writes it (52:54:00:...).</summary>
    public string MacText => string.Join(':', Volatile.Read(ref _mac).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Whether the link is up (VIRTIO_NET_S_LINK_UP); a down link drops frames both ways.</summary>
    public bool LinkUp => _linkUp;

    public void ReadConfig(int offset, Span<byte> data)
    {
        Span<byte> config = stackalloc byte[H.ConfigSize];
        Volatile.Read(ref _mac).CopyTo(config[H.ConfigMacOffset..]);
        BinaryPrimitives.WriteUInt16LittleEndian(config[H.ConfigStatusOffset..], _linkUp ? H.StatusLinkUp : (ushort)0);
        BinaryPrimitives.WriteUInt16LittleEndian(config[H.ConfigMaxPairsOffset..], (ushort)_config.QueuePairs);
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
        // The MAC is writable only through legacy drivers' configuration writes; modern ones use MAC_ADDR_SET.
    }

    public void Activate(VirtioActivation activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        lock (_gate)
        {
            Volatile.Write(ref _activation, activation);
            if (Backend.SupportedOffloads != NetOffloads.None)
            {
                Backend.TrySetOffloads(GuestOffloads(activation));
            }

            if (!StartPairs(activation))
            {
                return;
            }

            StartControl(activation);
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            StopControl(); // first: its thread may be setting the pairs
            StopPairs();
            if (Volatile.Read(ref _activation) is not null && Backend.SupportedOffloads != NetOffloads.None)
            {
                Backend.TrySetOffloads(NetOffloads.None); // the next driver may accept none
            }

            Volatile.Write(ref _mac, _config.Mac); // a reset forgets the MAC the driver set, as QEMU's does
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
        foreach (var kernel in _kernels ?? [])
        {
            kernel.SetLink(up);
        }

        s_log.Info("{Device}: link {State}", Name, up ? "up" : "down");
        Volatile.Read(ref _activation)?.Interrupt.NotifyConfigChange();
    }

    /// <summary>
    /// query-rx-filter: the receive filter the driver set through the control queue; QEMU's reset state before a driver
    /// runs or for one without the control queue.
    /// </summary>
    public VirtioNetRxFilter RxFilter() =>
        Volatile.Read(ref _activation) is { } activation && Control is { } control
            ? control.RxFilter(Name, MacText, activation.Has(H.FeatureCtrlVlan))
            : VirtioNetRxFilter.Reset(Name, MacText);

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
        foreach (var kernel in _kernels ?? [])
        {
            kernel.Dispose();
        }
    }
}
