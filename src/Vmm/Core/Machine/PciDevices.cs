using Kvm.Vmm.Bus;
using Kvm.Vmm.Devices;
using Kvm.Vmm.Devices.Acpi;
using Kvm.Vmm.Devices.Piix;
using Kvm.Vmm.Devices.Virtio;
using Kvm.Vmm.Devices.Virtio.Balloon;
using Kvm.Vmm.Devices.Virtio.Block;
using Kvm.Vmm.Devices.Virtio.Net;
using Kvm.Vmm.Devices.Virtio.Pci;
using Kvm.Vmm.Devices.Virtio.Rng;
using Kvm.Vmm.Devices.Virtio.Vsock;
using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Memory;
using Kvm.Vmm.Pci;

namespace Kvm.Vmm.Machine;

/// <summary>
/// The machine's PCI side: bus 0 behind the host bridge, reachable through ports 0xCF8-0xCFF and ECAM, with each
/// virtio device at its slot and its BAR placed in the windows, as firmware would leave them. Devices whose XML names
/// a slot go there; the others take the first free slots in libvirt's order (disks, then RNGs), then the NICs.
/// </summary>
internal sealed partial class PciDevices : IDisposable
{
    /// <summary>The PIIX south bridge's slot (00:01, as on QEMU's pc machine) and its power-management function.</summary>
    public const byte ChipsetSlot = 1;
    public const byte PowerManagementFunction = 3;

    private readonly List<VirtioPciTransport> _transports = [];
    private readonly GuestMemory _memory;
    private readonly MmioBus _mmio;
    private readonly IVm? _vm;
    private readonly PciWindows _windows;

    private PciDevices(PciRootBus bus, GuestMemory memory, MmioBus mmio, IVm? vm, PciWindows windows)
    {
        Bus = bus;
        _memory = memory;
        _mmio = mmio;
        _vm = vm;
        _windows = windows;
    }

    public PciRootBus Bus { get; }

    public IReadOnlyList<VirtioPciTransport> Transports => _transports;

    /// <summary>The virtio-blk devices, in the configuration's order, with their PCI addresses.</summary>
    public List<(PciAddress Address, VirtioBlock Disk)> Disks { get; } = [];

    /// <summary>The virtio-net devices, in the configuration's order, with their PCI addresses.</summary>
    public List<(PciAddress Address, VirtioNet Nic)> Nics { get; } = [];

    /// <summary>The virtio-vsock device and its PCI address; null when the machine has none.</summary>
    public (PciAddress Address, VirtioVsock Device)? Vsock { get; private set; }

    /// <summary>The virtio-balloon device and its PCI address; null when the machine has none.</summary>
    public (PciAddress Address, VirtioBalloon Device)? Balloon { get; private set; }

    /// <summary>
    /// Builds bus 0: the chipset (<see cref="AddChipset"/>: the i440FX host bridge, the PIIX function 0 and its power
    /// management at 00:01.3, which firmware needs for its timer; or the Q35 MCH and the ICH9 LPC bridge at 00:1F.0), and
    /// the virtio devices. <paramref name="end"/> receives the chipset's reset and power-off.
    /// </summary>
    public static PciDevices Create(MachineConfig config, IoBus ports, MmioBus mmio, GuestMemory memory, IVm? vm, ulong ramEnd,
        Action<MachineExit>? end = null)
    {
        var bus = new PciRootBus();
        var windows = new PciWindows(PciLayout.Window32Base, PciLayout.Window32Size, PciLayout.Window64Base(ramEnd), PciLayout.Window64Size);
        var devices = new PciDevices(bus, memory, mmio, vm, windows);
        try
        {
            devices.AddChipset(config, ports, end);

            var (diskSlots, rngSlots, nicSlots, vsockSlot, balloonSlot) = AssignSlots(config);
            for (int i = 0; i < config.Disks.Count; i++)
            {
                var address = devices.Add(new VirtioBlock(config.Disks[i].Backend, config.Disks[i].Device), diskSlots[i]);
                devices.Disks.Add((address, (VirtioBlock)devices._transports[^1].Device));
            }

            for (int i = 0; i < config.Rngs.Count; i++)
            {
                devices.Add(OpenRng(config.Rngs[i].Device), rngSlots[i]);
            }

            for (int i = 0; i < config.Nics.Count; i++)
            {
                var address = devices.Add(new VirtioNet(config.Nics[i].Backends, config.Nics[i].Device, config.Nics[i].Vhosts), nicSlots[i]);
                devices.Nics.Add((address, (VirtioNet)devices._transports[^1].Device));
            }

            if (config.Vsock is { } vsock)
            {
                var address = devices.Add(new VirtioVsock(vsock.Vhost), vsockSlot!.Value);
                devices.Vsock = (address, (VirtioVsock)devices._transports[^1].Device);
            }

            if (config.Balloon is { } balloon)
            {
                var device = new VirtioBalloon(balloon.Device, config.MemoryBytes);
                devices.Balloon = (devices.Add(device, balloonSlot!.Value), device);
            }

            return devices;
        }
        catch
        {
            devices.Dispose();
            throw;
        }
    }

    /// <summary>The slot of bus 0 the disk at <paramref name="diskIndex"/> of the configuration gets.</summary>
    public static byte SlotOf(MachineConfig config, int diskIndex) => AssignSlots(config).Disks[diskIndex];

    /// <summary>
    /// Every device's slot: the one its XML names, else the first free one from <see cref="PciLayout.FirstFreeSlot"/>,
    /// disks first, then RNGs, then NICs, then the vsock, then the balloon. Two devices asking for one slot, or more devices than slots, are refused.
    /// </summary>
    private static (byte[] Disks, byte[] Rngs, byte[] Nics, byte? Vsock, byte? Balloon) AssignSlots(MachineConfig config)
    {
        var requested = config.Disks.Select(d => (Slot: d.Slot, Name: d.Device.Name))
            .Concat(config.Rngs.Select(r => (Slot: r.Slot, Name: r.Device.Name)))
            .Concat(config.Nics.Select(n => (Slot: n.Slot, Name: n.Device.Name)))
            .Concat(config.Vsock is { } v ? [(Slot: v.Slot, Name: "vsock0")] : [])
            .Concat(config.Balloon is { } b ? [(Slot: b.Slot, Name: b.Device.Name)] : []).Where(d => d.Slot is not null).ToList();
        foreach (var (slot, name) in requested)
        {
            if (requested.Count(r => r.Slot == slot) > 1)
            {
                throw new Boot.BootException($"{name}: PCI slot 0x{slot:x2} is given to more than one device");
            }
        }

        var slots = new Queue<byte>(Enumerable.Range(PciLayout.FirstFreeSlot, PciAddress.SlotsPerBus - PciLayout.FirstFreeSlot)
            .Select(s => (byte)s).Where(s => requested.All(r => r.Slot != s) && !(config.Chipset == Chipset.Q35 && s == PciLayout.Ich9Slot)));
        byte[] disks = [.. config.Disks.Select(d => d.Slot ?? Next(slots, d.Device.Name))];
        byte[] rngs = [.. config.Rngs.Select(r => r.Slot ?? Next(slots, r.Device.Name))];
        byte[] nics = [.. config.Nics.Select(n => n.Slot ?? Next(slots, n.Device.Name))];
        byte? vsock = config.Vsock is { } device ? device.Slot ?? Next(slots, "vsock0") : null;
        byte? balloon = config.Balloon is { } memballoon ? memballoon.Slot ?? Next(slots, memballoon.Device.Name) : null;
        return (disks, rngs, nics, vsock, balloon);
    }

    public void Dispose()
    {
        foreach (var transport in _transports)
        {
            transport.Dispose();
        }

        _transports.Clear();
    }

    private static VirtioRng OpenRng(VirtioRngConfig config)
    {
        try
        {
            return new VirtioRng(config);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Boot.BootException($"{config.Name}: cannot open {config.SourcePath}: {e.Message}");
        }
    }

    private static byte Next(Queue<byte> slots, string device) =>
        slots.TryDequeue(out byte slot) ? slot : throw new Boot.BootException($"no free PCI slot on bus 0 for {device}");

    private PciAddress Add(IVirtioDevice device, byte slot)
    {
        if (!Bus.IsFree(slot))
        {
            device.Dispose();
            throw new Boot.BootException(slot >= PciAddress.SlotsPerBus
                ? $"{device.Name}: PCI slot 0x{slot:x2} does not exist (bus 0 has slots 0x00 to 0x1f)"
                : $"{device.Name}: PCI slot 0x{slot:x2} is already taken");
        }

        var transport = new VirtioPciTransport(device, _memory, _mmio, _vm)
        {
            // INTA, for a driver that does not enable MSI-X (pci=nomsi, an old kernel, firmware).
            Intx = _vm is null ? null : new KvmIrqLine(_vm, PciLayout.IntxGsi(slot, 0)),
        };
        _transports.Add(transport);
        Bus.Add(slot, transport);
        transport.Place(_windows.Allocate(transport.Config.Bars[VirtioPciLayout.Bar]!));
        return new PciAddress(0, slot, 0);
    }
}
