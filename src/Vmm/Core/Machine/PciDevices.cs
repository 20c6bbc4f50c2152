using Kvm.Vmm.Bus;
using Kvm.Vmm.Devices;
using Kvm.Vmm.Devices.Virtio.Block;
using Kvm.Vmm.Devices.Virtio.Pci;
using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Memory;
using Kvm.Vmm.Pci;

namespace Kvm.Vmm.Machine;

/// <summary>
/// The machine's PCI side: bus 0 behind the host bridge, reachable through ports 0xCF8-0xCFF and ECAM, with each
/// virtio device at its slot and its BAR placed in the windows, as firmware would leave them.
/// </summary>
internal sealed class PciDevices : IDisposable
{
    private readonly List<VirtioPciTransport> _transports = [];

    private PciDevices(PciRootBus bus) => Bus = bus;

    public PciRootBus Bus { get; }

    public IReadOnlyList<VirtioPciTransport> Transports => _transports;

    /// <summary>The virtio-blk devices, in the configuration's order, with their PCI addresses.</summary>
    public List<(PciAddress Address, VirtioBlock Disk)> Disks { get; } = [];

    public static PciDevices Create(MachineConfig config, IoBus ports, MmioBus mmio, GuestMemory memory, IVm? vm, ulong ramEnd)
    {
        var bus = new PciRootBus();
        var devices = new PciDevices(bus);
        try
        {
            bus.Add(0, new PciHostBridge());
            ports.Register(PciConfigPorts.BasePort, PciConfigPorts.PortCount, new PciConfigPorts(bus));
            mmio.Register(PciLayout.EcamBase, PciLayout.EcamSize, new PciEcam(bus));
            var windows = new PciWindows(PciLayout.Window32Base, PciLayout.Window32Size, PciLayout.Window64Base(ramEnd), PciLayout.Window64Size);

            // Devices whose XML names a slot go there first; the others take the first free slots, in order.
            foreach (var disk in config.Disks.Where(d => d.Slot is not null))
            {
                devices.AddDisk(disk, disk.Slot!.Value, memory, mmio, vm, windows);
            }

            foreach (var disk in config.Disks.Where(d => d.Slot is null))
            {
                devices.AddDisk(disk, devices.FreeSlot(disk.Device.Name), memory, mmio, vm, windows);
            }

            // Keep the configuration's order for reports.
            devices.Disks.Sort((a, b) => config.Disks.Select(d => d.Device.Name).ToList().IndexOf(a.Disk.Name)
                .CompareTo(config.Disks.Select(d => d.Device.Name).ToList().IndexOf(b.Disk.Name)));
            return devices;
        }
        catch
        {
            devices.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var transport in _transports)
        {
            transport.Dispose();
        }

        _transports.Clear();
    }

    private byte FreeSlot(string device)
    {
        for (byte slot = PciLayout.FirstFreeSlot; slot < PciAddress.SlotsPerBus; slot++)
        {
            if (Bus.IsFree(slot))
            {
                return slot;
            }
        }

        throw new Boot.BootException($"no free PCI slot on bus 0 for {device}");
    }

    private void AddDisk(DiskConfig disk, byte slot, GuestMemory memory, MmioBus mmio, IVm? vm, PciWindows windows)
    {
        if (!Bus.IsFree(slot))
        {
            throw new Boot.BootException(slot >= PciAddress.SlotsPerBus
                ? $"{disk.Device.Name}: PCI slot 0x{slot:x2} does not exist (bus 0 has slots 0x00 to 0x1f)"
                : $"{disk.Device.Name}: PCI slot 0x{slot:x2} is already taken");
        }

        var device = new VirtioBlock(disk.Backend, disk.Device);
        var transport = new VirtioPciTransport(device, memory, mmio, vm);
        _transports.Add(transport);
        Bus.Add(slot, transport);
        transport.Place(windows.Allocate(transport.Config.Bars[VirtioPciLayout.Bar]!));
        Disks.Add((new PciAddress(0, slot, 0), device));
    }
}
