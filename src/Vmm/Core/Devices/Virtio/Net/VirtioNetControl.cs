using System.Buffers.Binary;
using Kvm.Vmm.Memory;
using NLog;
using C = Kvm.Vmm.Devices.Virtio.Net.VirtioNetCtrl;
using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Devices.Virtio.Net;

/// <summary>
/// The commands of virtio-net's control virtqueue (virtio 1.2, 5.1.6.5) that Linux's virtio_net sends: receive modes
/// (promiscuous, all-multicast), the MAC filter table and the MAC address, VLAN filters, and the number of queue pairs.
/// The receive modes and filters are acknowledged and recorded (the tap sees every frame anyway, as QEMU's does without
/// a filter); the MAC is recorded and read back from the configuration space; the queue pairs go to the device. Every
/// request is guest input: a command whose feature was not accepted, an unknown class or command, or data of the wrong
/// length is answered VIRTIO_NET_ERR, and nothing here throws. Served on the control queue's one thread.
/// </summary>
internal sealed class VirtioNetControl
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly string _name;
    private readonly GuestMemory _memory;
    private readonly ulong _features;
    private readonly int _maxPairs;
    private readonly Func<int, bool> _setPairs;
    private readonly byte[] _request = new byte[C.MaxRequest];
    private readonly Action<byte[]> _setMac;
    private readonly HashSet<ushort> _vlans = [];
    private readonly Lock _gate = new(); // the filter state, between the control queue's thread and the monitor's readers
    private byte[][] _unicast = [];
    private byte[][] _multicast = [];
    private bool _unicastOverflow;
    private bool _multicastOverflow;
    private long _warnings;

    /// <param name="setPairs">Makes pairs 0..n-1 active (VQ_PAIRS_SET, already checked against the maximum); false when it cannot.</param>
    /// <param name="setMac">Records the MAC the driver set (MAC_ADDR_SET).</param>
    public VirtioNetControl(string name, GuestMemory memory, ulong features, int maxPairs, Func<int, bool> setPairs, Action<byte[]> setMac)
    {
        _name = name;
        _memory = memory;
        _features = features;
        _maxPairs = maxPairs;
        _setPairs = setPairs;
        _setMac = setMac;
    }

    /// <summary>On until the driver turns it off, as QEMU's device starts ("compatibility mode", virtio_net_reset).</summary>
    public bool Promiscuous { get; private set; } = true;

    public bool AllMulticast { get; private set; }

    /// <summary>How many unicast and multicast addresses the driver's last MAC_TABLE_SET listed.</summary>
    public (int Unicast, int Multicast) MacTable { get; private set; }

    /// <summary>The VLANs the driver filters on (VLAN_ADD minus VLAN_DEL).</summary>
    public int VlanCount
    {
        get
        {
            lock (_gate)
            {
                return _vlans.Count;
            }
        }
    }

    /// <summary>
    /// The receive filter as the driver set it, in query-rx-filter's terms: QEMU keeps at most
    /// <see cref="VirtioNetCtrl.MacTableEntries"/> addresses, unicast first, and marks a table that did not fit as
    /// overflowed instead; the tables and the VLAN ids come last-first, as QEMU lists them.
    /// </summary>
    public VirtioNetRxFilter RxFilter(string name, string mainMac, bool vlanNegotiated)
    {
        lock (_gate)
        {
            return new VirtioNetRxFilter(
                name, Promiscuous, AllMulticast, _unicastOverflow, _multicastOverflow, mainMac,
                [.. _unicast.Reverse().Select(VirtioNetRxFilter.FormatMac)],
                [.. _multicast.Reverse().Select(VirtioNetRxFilter.FormatMac)],
                vlanNegotiated,
                vlanNegotiated ? [.. _vlans.Select(v => (int)v).OrderDescending()] : VirtioNetRxFilter.AllVlans);
        }
    }

    /// <summary>Serves one control request: the ack goes to its first writable byte; the used length (1, or 0 without room for an ack).</summary>
    public uint Serve(DescriptorChain chain)
    {
        if (chain.WritableBytes < 1)
        {
            Warn("control request at head {0} has no writable byte for its ack", chain.Head);
            return 0;
        }

        byte ack = C.Err;
        if (chain.ReadableBytes is < C.HeaderSize or > C.MaxRequest)
        {
            Warn("control request at head {0} has {1} readable bytes", chain.Head, chain.ReadableBytes);
        }
        else
        {
            int length = chain.CopyFromReadable(_memory, 0, _request.AsSpan(0, (int)chain.ReadableBytes));
            ack = Execute(_request.AsSpan(0, length));
        }

        return (uint)chain.CopyToWritable(_memory, 0, [ack]);
    }

    /// <summary>Runs one request (class, command, data): VIRTIO_NET_OK or VIRTIO_NET_ERR.</summary>
    internal byte Execute(ReadOnlySpan<byte> request)
    {
        if (request.Length < C.HeaderSize)
        {
            return C.Err;
        }

        byte command = request[1];
        var data = request[C.HeaderSize..];
        bool ok = request[0] switch
        {
            C.ClassRx when Has(H.FeatureCtrlRx) => Rx(command, data),
            C.ClassMac => Mac(command, data),
            C.ClassVlan when Has(H.FeatureCtrlVlan) => Vlan(command, data),
            C.ClassMq when Has(H.FeatureMq) => Mq(command, data),
            _ => false,
        };
        if (!ok)
        {
            Warn("control command class {0} command {1} with {2} bytes of data refused", request[0], command, data.Length);
        }

        return ok ? C.Ok : C.Err;
    }

    private bool Has(ulong feature) => (_features & feature) == feature;

    private bool Rx(byte command, ReadOnlySpan<byte> data)
    {
        if (data.Length != 1)
        {
            return false;
        }

        switch (command)
        {
            case C.RxPromisc:
                lock (_gate)
                {
                    Promiscuous = data[0] != 0;
                }

                return true;
            case C.RxAllMulti:
                lock (_gate)
                {
                    AllMulticast = data[0] != 0;
                }

                return true;
            default:
                return false; // NOMULTI and the rest need VIRTIO_NET_F_CTRL_RX_EXTRA, not offered
        }
    }

    private bool Mac(byte command, ReadOnlySpan<byte> data)
    {
        switch (command)
        {
            case C.MacTableSet when Has(H.FeatureCtrlRx):
                // Two tables, unicast then multicast: each a le32 count and that many 6-byte addresses (5.1.6.5.2).
                var tables = data;
                if (!TryTable(ref data, out int unicast) || !TryTable(ref data, out int multicast) || !data.IsEmpty)
                {
                    return false;
                }

                SetTables(tables, unicast, multicast);
                return true;
            case C.MacAddrSet when Has(H.FeatureCtrlMacAddr):
                if (data.Length != 6 || (data[0] & 1) != 0)
                {
                    return false; // six bytes, and not a multicast address
                }

                _setMac(data.ToArray());
                return true;
            default:
                return false;
        }
    }

    /// <summary>Keeps the addresses of a checked MAC_TABLE_SET as QEMU's virtio_net_handle_mac does: what fits in its table.</summary>
    private void SetTables(ReadOnlySpan<byte> tables, int unicast, int multicast)
    {
        bool unicastFits = unicast <= C.MacTableEntries;
        bool multicastFits = multicast <= C.MacTableEntries - (unicastFits ? unicast : 0);
        byte[][] unicastTable = unicastFits ? Addresses(tables.Slice(4, 6 * unicast)) : [];
        byte[][] multicastTable = multicastFits ? Addresses(tables.Slice(4 + (6 * unicast) + 4, 6 * multicast)) : [];
        lock (_gate)
        {
            MacTable = (unicast, multicast);
            _unicast = unicastTable;
            _multicast = multicastTable;
            _unicastOverflow = !unicastFits;
            _multicastOverflow = !multicastFits;
        }
    }

    private static byte[][] Addresses(ReadOnlySpan<byte> entries)
    {
        var addresses = new byte[entries.Length / 6][];
        for (int i = 0; i < addresses.Length; i++)
        {
            addresses[i] = entries.Slice(6 * i, 6).ToArray();
        }

        return addresses;
    }

    private static bool TryTable(ref ReadOnlySpan<byte> data, out int entries)
    {
        entries = 0;
        if (data.Length < 4)
        {
            return false;
        }

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (count > (uint)(data.Length - 4) / 6)
        {
            return false;
        }

        entries = (int)count;
        data = data[(4 + (6 * entries))..];
        return true;
    }

    private bool Vlan(byte command, ReadOnlySpan<byte> data)
    {
        if (data.Length != 2)
        {
            return false;
        }

        ushort id = BinaryPrimitives.ReadUInt16LittleEndian(data);
        if (id >= C.VlanIds)
        {
            return false;
        }

        switch (command)
        {
            case C.VlanAdd:
                lock (_gate)
                {
                    _vlans.Add(id);
                }

                return true;
            case C.VlanDel:
                lock (_gate)
                {
                    _vlans.Remove(id);
                }

                return true;
            default:
                return false;
        }
    }

    private bool Mq(byte command, ReadOnlySpan<byte> data)
    {
        // virtqueue_pairs: 1 (VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN) to max_virtqueue_pairs (5.1.6.5.5).
        if (command != C.MqVqPairsSet || data.Length != 2)
        {
            return false;
        }

        ushort pairs = BinaryPrimitives.ReadUInt16LittleEndian(data);
        return pairs >= 1 && pairs <= _maxPairs && _setPairs(pairs);
    }

    /// <summary>Guest misbehaviour is logged at Warn, the first few times per device (a guest could flood the log).</summary>
    private void Warn(string what, params object[] args)
    {
        if (Interlocked.Increment(ref _warnings) <= 16)
        {
            s_log.Warn("{Device}: {Problem}", _name, string.Format(System.Globalization.CultureInfo.InvariantCulture, what, args));
        }
    }
}
