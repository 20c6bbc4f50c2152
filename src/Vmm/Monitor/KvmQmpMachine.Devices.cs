using Kvm.Qmp.Commands;
using Kvm.Vmm.Machine;

namespace Kvm.Vmm.Monitor;

/// <summary>The machine's disks, NICs and PCI bus for the monitor: query-block, query-blockstats, block_resize, query-pci, set_link, BLOCK_IO_ERROR.</summary>
internal sealed partial class KvmQmpMachine
{
    private DiskMonitor? _diskMonitor;

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
    /// The link state lives in the device, which a machine reset rebuilds from the configuration: up again, as the XML says.
    /// </summary>
    public bool SetLink(string name, bool up)
    {
        PcMachine? machine;
        lock (_gate)
        {
            machine = _machine;
        }

        var nic = machine?.Nics.Select(n => n.Nic).FirstOrDefault(n => n.Name == name || "host" + n.Name == name);
        if (nic is null)
        {
            return false;
        }

        nic.SetLink(up);
        return true;
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
