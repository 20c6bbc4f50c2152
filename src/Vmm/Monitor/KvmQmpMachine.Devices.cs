using Kvm.Qmp.Commands;
using Kvm.Vmm.Machine;

namespace Kvm.Vmm.Monitor;

/// <summary>The machine's disks and PCI bus for the monitor: query-block, query-blockstats, block_resize, query-pci, BLOCK_IO_ERROR.</summary>
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

        return machine is null ? [] : PciMonitor.Query(machine.PciBus, address => disks?.DeviceIdAt(address));
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
