using Kvm.Vmm.Boot;
using Kvm.Vmm.Boot.Acpi;
using Kvm.Vmm.Bus;
using Kvm.Vmm.Devices;
using Kvm.Vmm.Devices.FwCfg;
using Kvm.Vmm.Firmware;
using Kvm.Vmm.Firmware.Smbios;
using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Interop;
using Kvm.Vmm.Memory;
using NLog;

namespace Kvm.Vmm.Machine;

/// <summary>
/// A PC (i440FX and PIIX, as QEMU's pc machine, or Q35 and ICH9, as its q35: <see cref="Chipset"/>) that boots Linux directly, through a legacy BIOS (<see cref="BiosBoot"/>)
/// or through UEFI firmware in flash (<see cref="UefiBoot"/>): KVM's in-kernel
/// interrupt controllers and PIT, RAM split around the 32-bit hole, PCI with virtio devices, the port devices of <see cref="PortDevices"/> (COM1, the RTC, the keyboard controller's reset line, the
/// POST code port, isa-debug-exit when configured), and one thread per vCPU.
/// </summary>
public sealed partial class PcMachine : IDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly KvmSystem _kvm;
    private readonly VirtualMachine _vm;
    private readonly GuestMemory _memory;
    private readonly IDisposable? _firmware;
    private readonly Vcpu[] _vcpus;
    private readonly PortDevices _ports;
    private readonly MmioBus _mmio;
    private readonly PciDevices _pci;
    private readonly ExitDispatcher _dispatcher;
    private readonly TaskCompletionSource<MachineExit> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Thread> _threads = [];
    private readonly object _pauseGate = new();
    private volatile bool _stopping;
    private volatile bool _paused;
    private int _parked;

    private PcMachine(KvmSystem kvm, VirtualMachine vm, GuestMemory memory, IDisposable? firmware, MmioBus mmio, Vcpu[] vcpus, CpuTopology topology, MachineConfig config)
    {
        _firmware = firmware;
        _mmio = mmio;
        Topology = topology;
        _kvm = kvm;
        _vm = vm;
        _memory = memory;
        _vcpus = vcpus;
        _ports = PortDevices.Create(config.SerialOutput, new KvmIrqLine(vm, Serial8250.Com1Irq), TimeProvider.System, config.DebugExit, End,
            new CmosMemory(RamBelow(memory, GuestLayout.FourGiB), RamAbove(memory, GuestLayout.FourGiB), config.Vcpus));
        try
        {
            // QEMU's fw_cfg, as on every PC machine of QEMU's: the guest's qemu_fw_cfg driver (ACPI QEMU0002) reads it.
            var fwCfg = FwCfgContent.Create(config.Uuid, config.MemoryBytes, config.Vcpus, config.FwCfgFiles, config.BootMenu);
            _ports.Bus.Register(FwCfgDevice.IoBase, FwCfgDevice.IoSize, new FwCfgDevice(fwCfg, memory));
            _pci = PciDevices.Create(config, _ports.Bus, _mmio, memory, vm, memory.Regions.Max(r => r.End), End);
        }
        catch
        {
            _ports.Serial.Dispose();
            throw;
        }

        _dispatcher = new ExitDispatcher(_ports.Bus, _mmio);
    }

    private static ulong RamBelow(GuestMemory memory, ulong limit) => memory.Regions.Where(r => r.GuestAddress < limit).Select(r => Math.Min(r.End, limit)).DefaultIfEmpty(0UL).Max();

    private static ulong RamAbove(GuestMemory memory, ulong limit) => memory.Regions.Where(r => r.End > limit).Aggregate(0UL, (sum, r) => sum + (r.End - Math.Max(r.GuestAddress, limit)));

    /// <summary>The most vCPUs a machine gets: xAPIC ids in the MADT, with one id left for the I/O APIC.</summary>
    public const int MaxVcpus = 254;

    public Serial8250 Serial => _ports.Serial;

    /// <summary>The POST code port (0x80): the guest's last code there and how often it wrote.</summary>
    public PostCodePort PostCode => _ports.PostCode;

    public CpuTopology Topology { get; }

    /// <summary>The virtio-blk disks with their PCI addresses, in the configuration's order.</summary>
    public IReadOnlyList<(Pci.PciAddress Address, Devices.Virtio.Block.VirtioBlock Disk)> Disks => _pci.Disks;

    /// <summary>The virtio-net NICs with their PCI addresses, in the configuration's order.</summary>
    public IReadOnlyList<(Pci.PciAddress Address, Devices.Virtio.Net.VirtioNet Nic)> Nics => _pci.Nics;

    /// <summary>The virtio-balloon device, or null when the machine has none.</summary>
    public Devices.Virtio.Balloon.VirtioBalloon? Balloon => _pci.Balloon?.Device;

    /// <summary>The functions on PCI bus 0.</summary>
    public Pci.PciRootBus PciBus => _pci.Bus;

    /// <summary>The vCPUs' Linux thread ids, in vCPU order (0 for a thread that has not started yet).</summary>
    public IReadOnlyList<int> VcpuThreadIds => [.. _vcpus.Select(v => v.ThreadId)];

    public Task<MachineExit> Exited => _exit.Task;

    public static PcMachine Create(MachineConfig config, string kvmPath = KvmSystem.DefaultPath)
    {
        if (config.Vcpus < 1)
        {
            throw new BootException($"a machine needs at least one vCPU, not {config.Vcpus}");
        }

        var topology = config.Topology ?? CpuTopology.Flat(config.Vcpus);
        if (topology.Sockets < 1 || topology.Cores < 1 || topology.Threads < 1 || topology.Capacity < config.Vcpus)
        {
            throw new BootException($"{config.Vcpus} vCPUs do not fit the topology of {topology.Sockets} socket(s), {topology.Cores} core(s), {topology.Threads} thread(s)");
        }

        int[] apicIds = [.. Enumerable.Range(0, config.Vcpus).Select(topology.ApicId)];
        if (config.Vcpus > MaxVcpus || apicIds[^1] > MaxVcpus - 1)
        {
            throw new BootException($"{config.Vcpus} vCPUs: at most {MaxVcpus} are supported, with APIC ids below {MaxVcpus} (they are one byte in the MADT)");
        }

        if ((config.KernelPath is null) == (config.FirmwarePath is null))
        {
            throw new BootException("a machine boots either a Linux kernel directly or firmware: give exactly one of the two");
        }

        var kernel = config.KernelPath is null ? null : BzImage.Load(config.KernelPath);
        byte[] initrd = config.InitrdPath is null || kernel is null ? [] : ReadInitrd(config.InitrdPath);
        var bios = config.FirmwarePath is null || config.NvramPath is not null ? null : BiosImage.Load(config.FirmwarePath);
        var kvm = KvmSystem.Open(kvmPath);
        VirtualMachine? vm = null;
        GuestMemory? memory = null;
        IDisposable? firmware = null;
        var mmio = new MmioBus();
        var vcpus = new List<Vcpu>();
        try
        {
            vm = kvm.CreateVm();
            vm.SetSystemAddresses();
            vm.CreateInterruptControllers(config.PitReinject);
            var regions = GuestLayout.RamRegions(config.MemoryBytes, PciLayout.HoleStart(config.Chipset));
            memory = GuestMemory.Allocate(regions);
            vm.MapMemory(memory);
            ulong ramEnd = regions.Max(r => r.GuestAddress + r.Size);
            var pci = PciLayout.Acpi(config.Chipset, ramEnd);
            var pm = PciDevices.AcpiPmOf(config.Chipset);
            var ecam = PciLayout.Ecam(config.Chipset);
            ulong entry = 0;
            var fwCfgFiles = config.FwCfgFiles;
            var cpuid = kvm.GetSupportedCpuid();
            var smbios = BuildSmbios(config, topology, regions, cpuid, firmware: kernel is null);
            if (kernel is not null)
            {
                var e820 = GuestLayout.E820(regions);
                e820.Add(new E820Entry(ecam.Base, ecam.Size, E820Entry.Reserved));
                entry = LinuxLoader.Load(memory, kernel, initrd, config.CommandLine, e820);
                if (AcpiTables.Write(memory, apicIds, pci, pm) > SmbiosTables.FSegment)
                {
                    throw new BootException("the ACPI tables reach into the F segment, where the SMBIOS tables go");
                }

                smbios.WriteToFSegment(memory);
            }
            else
            {
                firmware = bios is null ? UefiBoot.Load(vm, mmio, config.FirmwarePath!, config.NvramPath!) : BiosBoot.Load(vm, memory, bios);
                fwCfgFiles = [.. fwCfgFiles, .. BiosBoot.Files(regions, FirmwareReserved(ecam), apicIds, pci, BootPaths(config), config.BootFailWaitMilliseconds, config.BootMenuWaitMilliseconds, pm),
                    .. smbios.FwCfgFiles(entryPoint64: bios is null)];
            }

            for (int index = 0; index < config.Vcpus; index++)
            {
                var vcpu = vm.CreateVcpu(apicIds[index]);
                vcpus.Add(vcpu);
                vcpu.SetCpuid(CpuidSetup.ForVcpu(cpuid, index, topology));
                if (kernel is not null)
                {
                    vcpu.SetMsrs(BootMsrs);
                }

                if (kernel is not null || index == 0)
                {
                    // Firmware finds the boot vCPU's LINT0 in ExtINT mode, as QEMU leaves it at reset.
                    vcpu.SetLocalInterruptPins();
                }
            }

            if (kernel is not null)
            {
                BootCpu.Configure(vcpus[0], entry);
            }

            // The machine builds its port devices; when that fails they have already let go of the serial output.
            var machine = new PcMachine(kvm, vm, memory, firmware, mmio, [.. vcpus], topology, config with { FwCfgFiles = fwCfgFiles });
            if (kernel is not null)
            {
                s_log.Info("Machine ready: {Memory} MiB, {Vcpus} vCPU(s), kernel {Kernel} (boot protocol {Major}.{Minor})",
                    config.MemoryBytes >> 20, config.Vcpus, config.KernelPath, kernel.Version >> 8, kernel.Version & 0xff);
            }
            else
            {
                s_log.Info("Machine ready: {Memory} MiB, {Vcpus} vCPU(s), firmware {Firmware} ({Size} KiB), boot order {BootOrder}",
                    config.MemoryBytes >> 20, config.Vcpus, config.FirmwarePath, new FileInfo(config.FirmwarePath!).Length >> 10, string.Join(", ", BootPaths(config)));
            }

            return machine;
        }
        catch
        {
            foreach (var vcpu in vcpus)
            {
                vcpu.Dispose();
            }

            memory?.Dispose();
            vm?.Dispose();
            firmware?.Dispose();
            kvm.Dispose();
            throw;
        }
    }

    /// <summary>What the firmware's memory map reserves besides RAM: ECAM and KVM's task-state and identity-map pages.</summary>
    private static (ulong Address, ulong Size)[] FirmwareReserved((ulong Base, ulong Size) ecam) =>
    [
        ecam,
        (VirtualMachine.IdentityMapAddress, VirtualMachine.SystemAreaSize),
    ];

    /// <summary>The boot disks' OpenFirmware paths, as the bootorder file lists them.</summary>
    private static IEnumerable<string> BootPaths(MachineConfig config) =>
        config.BootDisks.Select(index => FirmwareFiles.VirtioDiskPath(PciDevices.SlotOf(config, index)));

    /// <summary>MTRRs on with write-back as the default memory type, as firmware leaves them (MSR_MTRRdefType).</summary>
    private static readonly KvmMsrEntry[] BootMsrs = [new KvmMsrEntry { Index = 0x2ff, Data = (1 << 11) | 6 }];

    /// <summary>
    /// Starts one thread per vCPU. The boot vCPU runs the kernel; the others wait for the guest to start them. With
    /// <paramref name="paused"/> the threads exist but park before their first run until <see cref="Resume"/>.
    /// </summary>
    public void Start(bool paused = false)
    {
        _paused = paused;
        var bound = new CountdownEvent(_vcpus.Length);
        foreach (var vcpu in _vcpus)
        {
            var thread = new Thread(() => RunVcpu(vcpu, bound)) { Name = $"vcpu{vcpu.Id}", IsBackground = true };
            _threads.Add(thread);
            thread.Start();
        }

        // Each thread signals once it is bound to its vCPU (or failed to), so the thread ids are known when Start
        // returns. The wait is bounded only against a thread that never got scheduled; the event is then left to them.
        if (bound.Wait(TimeSpan.FromSeconds(60)))
        {
            bound.Dispose();
        }
        else
        {
            s_log.Warn("{Count} vCPU thread(s) not bound after 60 s; their thread ids are reported as they bind", bound.CurrentCount);
        }
    }

    /// <summary>
    /// Pauses the guest: every vCPU leaves KVM_RUN and parks. Returns once all are parked (or the machine ended).
    /// </summary>
    public void Pause()
    {
        lock (_pauseGate)
        {
            if (_paused)
            {
                return;
            }

            _paused = true;
            foreach (var vcpu in _vcpus)
            {
                vcpu.Kick();
            }

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (_parked < _threads.Count && !_stopping && DateTime.UtcNow < deadline)
            {
                System.Threading.Monitor.Wait(_pauseGate, TimeSpan.FromMilliseconds(100));
            }
        }
    }

    /// <summary>Lets parked vCPUs run again.</summary>
    public void Resume()
    {
        lock (_pauseGate)
        {
            _paused = false;
            System.Threading.Monitor.PulseAll(_pauseGate);
        }
    }

    /// <summary>Presses the ACPI power button: an edge on the generic event device's interrupt.</summary>
    public void PressPowerButton()
    {
        _vm.SetIrqLine(AcpiTables.PowerButtonGsi, true);
        _vm.SetIrqLine(AcpiTables.PowerButtonGsi, false);
    }

    /// <summary>Stops every vCPU (each leaves KVM_RUN) and reports <see cref="MachineExitReason.Stopped"/> if nothing ended it before.</summary>
    public void Stop() => End(new MachineExit(MachineExitReason.Stopped, "stopped by the host"));

    public void Dispose()
    {
        Stop();
        int running = 0;
        foreach (var thread in _threads)
        {
            if (!thread.Join(TimeSpan.FromSeconds(5)))
            {
                running++;
            }
        }

        // Before the VM goes: the serial output's writer may raise COM1's interrupt until the UART lets go of it, and
        // the devices' threads use guest memory and interrupts until they stop.
        Serial.Dispose();
        _pci.Dispose();
        if (running > 0)
        {
            // A vCPU thread still inside KVM_RUN or a device would fault on an unmapped kvm_run or guest page: leave
            // them mapped (and the descriptors open) rather than take the whole process down.
            s_log.Error("{Count} vCPU thread(s) did not stop within 5 s; their run areas and the guest memory stay mapped", running);
            return;
        }

        foreach (var vcpu in _vcpus)
        {
            vcpu.Dispose();
        }

        _memory.Dispose();
        _vm.Dispose();
        _firmware?.Dispose();
        _kvm.Dispose();
    }

    private static byte[] ReadInitrd(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BootException($"cannot read the initrd {path}: {e.Message}");
        }
    }

    private void End(MachineExit exit)
    {
        if (_exit.TrySetResult(exit))
        {
            s_log.Info("Machine stopped: {Reason} ({Detail})", exit.Reason, exit.Detail);
        }

        _stopping = true;
        lock (_pauseGate)
        {
            System.Threading.Monitor.PulseAll(_pauseGate);
        }

        foreach (var vcpu in _vcpus)
        {
            vcpu.Kick();
        }
    }

    /// <summary>Called by a vCPU thread after an interrupted run: waits while the machine is paused.</summary>
    private void ParkWhilePaused()
    {
        if (!_paused)
        {
            return;
        }

        lock (_pauseGate)
        {
            _parked++;
            System.Threading.Monitor.PulseAll(_pauseGate);
            while (_paused && !_stopping)
            {
                System.Threading.Monitor.Wait(_pauseGate);
            }

            _parked--;
        }
    }
}
