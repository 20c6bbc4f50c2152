using Kvm.Qmp.Commands;
using Kvm.Vmm.Machine;

namespace Kvm.Vmm.Monitor;

/// <summary>
/// The machine's disks, NICs, balloon and PCI bus for the monitor: query-block, query-blockstats, block_resize, query-pci,
/// set_link, query-rx-filter, BLOCK_IO_ERROR, query-balloon, balloon, and the QOM ids under /machine/peripheral.
/// </summary>
internal sealed partial class KvmQmpMachine
{
    private DiskMonitor? _diskMonitor;
    private readonly Dictionary<string, bool> _links = [];
    private readonly BalloonMonitor? _balloon;

    public IQmpBalloon? Balloon => _balloon;

    /// <summary>The devices with QOM ids, as libvirt names them: the disks (virtio-diskN), the NICs (netN) and the balloon.</summary>
    public IReadOnlyList<QmpObjectPropertyInfo> Peripherals
    {
        get
        {
            PcMachine? machine;
            DiskMonitor? disks;
            lock (_gate)
            {
                machine = _machine;
                disks = _diskMonitor;
            }

            List<QmpObjectPropertyInfo> children = [];
            if (_balloon is { } balloon)
            {
                children.Add(new(balloon.Id, "child<virtio-balloon-pci>"));
            }

            foreach (var (address, _) in machine?.Disks ?? [])
            {
                if (disks?.DeviceIdAt(address) is { } id)
                {
                    children.Add(new(id, "child<virtio-blk-pci>"));
                }
            }

            foreach (var (_, nic) in machine?.Nics ?? [])
            {
                children.Add(new(nic.Name, "child<virtio-net-pci>"));
            }

            return children;
        }
    }

    public IReadOnlyList<QmpBlockInfo> QueryBlock() => Disks()?.QueryBlock() ?? [];

    public IReadOnlyList<QmpBlockStats> QueryBlockstats(bool queryNodes) => Disks()?.QueryBlockstats(queryNodes) ?? [];

    public ValueTask BlockResizeAsync(string? device, string? nodeName, long size, CancellationToken cancellationToken)
    {
        var disks = Disks() ?? throw QmpBlockErrors.NotFound(device, nodeName);
        disks.Resize(device, nodeName, size);
        return ValueTask.CompletedTask;
    }

    public IReadOnlyList<QmpPciInfo> QueryPci()
    {
        PcMachine? machine;
        DiskMonitor? disks;
        lock (_gate)
        {
            machine = _machine;
            disks = _diskMonitor;
        }

        // A NIC's qdev id is libvirt's alias (net0, ...), which its device is named after.
        return machine is null ? [] : PciMonitor.Query(machine.PciBus, address => disks?.DeviceIdAt(address)
            ?? machine.Nics.FirstOrDefault(n => n.Address == address).Nic?.Name);
    }

    /// <summary>
    /// set_link on a NIC by its id (libvirt's alias, net0) or its netdev's (hostnet0, as libvirt names the backend).
    /// The state is kept for the machines a reset builds, as QEMU keeps a NIC's link across system_reset.
    /// </summary>
    public bool SetLink(string name, bool up)
    {
        Devices.Virtio.Net.VirtioNet? nic;
        lock (_gate)
        {
            nic = _machine?.Nics.Select(n => n.Nic).FirstOrDefault(n => n.Name == name || "host" + n.Name == name);
            if (nic is not null)
            {
                _links[nic.Name] = up;
            }
        }

        nic?.SetLink(up);
        return nic is not null;
    }

    /// <summary>query-rx-filter: each NIC's receive filter, as its virtio-net device has it now.</summary>
    public IReadOnlyList<QmpRxFilterInfo> QueryRxFilter()
    {
        Devices.Virtio.Net.VirtioNet[] nics;
        lock (_gate)
        {
            nics = _machine?.Nics.Select(n => n.Nic).ToArray() ?? [];
        }

        return [.. nics.Select(nic => RxFilterInfo(nic.RxFilter()))];
    }

    /// <summary>A NIC's netdev is named as libvirt names it: host plus the NIC's id (hostnet0).</summary>
    public bool IsNetdev(string name)
    {
        lock (_gate)
        {
            return _machine?.Nics.Any(n => "host" + n.Nic.Name == name) == true;
        }
    }

    private static QmpRxFilterInfo RxFilterInfo(Devices.Virtio.Net.VirtioNetRxFilter filter) => new(
        filter.Name,
        filter.Promiscuous,
        Multicast: filter.AllMulticast ? QmpRxState.All : QmpRxState.Normal,
        Unicast: QmpRxState.Normal, // ALLUNI and NOUNI need VIRTIO_NET_F_CTRL_RX_EXTRA, not offered
        Vlan: !filter.VlanNegotiated ? QmpRxState.All : filter.VlanTable.Count == 0 ? QmpRxState.None : QmpRxState.Normal,
        BroadcastAllowed: false, // QEMU reports its nobcast flag here, which only CTRL_RX_EXTRA's NOBCAST sets
        filter.MulticastOverflow,
        filter.UnicastOverflow,
        filter.MainMac,
        filter.VlanTable,
        filter.UnicastTable,
        filter.MulticastTable);

    /// <summary>Called for every machine built: its balloon gets the monitor's target and polling interval.</summary>
    private void AttachBalloon(PcMachine machine)
    {
        _balloon?.Attach(machine.Balloon);
    }

    /// <summary>Called for every machine built: its NICs' links as set_link last left them.</summary>
    private void AttachNics(PcMachine machine)
    {
        foreach (var (_, nic) in machine.Nics)
        {
            if (_links.TryGetValue(nic.Name, out bool up))
            {
                nic.SetLink(up);
            }
        }
    }

    private DiskMonitor? Disks()
    {
        lock (_gate)
        {
            return _machine is null ? null : _diskMonitor;
        }
    }

    /// <summary>Called for every machine built: names its disks and turns their image errors into BLOCK_IO_ERROR.</summary>
    private void AttachDisks(PcMachine machine)
    {
        var disks = new DiskMonitor(machine.Disks, _config.Disks);
        disks.ReportErrorsTo(_events);
        _diskMonitor = disks;
    }
}
