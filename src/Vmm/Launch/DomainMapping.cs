using Kvm.DomainXml.Model;
using Kvm.Vmm.Machine;
using Kvm.Vmm.Monitor;
using Kvm.Vmm.Support;

namespace Kvm.Vmm.Launch;

/// <summary>
/// Maps a domain definition onto the machine kvm-vmm can build: direct kernel boot or a BIOS on x86_64 with KVM, memory,
/// vCPUs, virtio disks, RNGs, NICs, vsock and the balloon, the first serial port and the lifecycle actions. A device the VMM does not emulate yet is refused by name
/// (or, when asked, ignored with a warning); the implicit ones libvirt adds to every PC are accepted.
/// </summary>
internal static class DomainMapping
{
    public static LaunchPlan Map(DomainDef domain, string file, bool ignoreUnsupported, Action<string> warn)
    {
        if (domain.VirtType != "kvm")
        {
            throw new LaunchException($"{file}: domain type '{domain.VirtType}' is not supported; kvm-vmm runs type='kvm' domains");
        }

        if (domain.Os.Type != "hvm" || (domain.Os.Arch ?? "x86_64") != "x86_64")
        {
            throw new LaunchException($"{file}: os type '{domain.Os.Type}' on '{domain.Os.Arch}' is not supported; kvm-vmm runs hvm x86_64 guests");
        }

        if (VmmSupport.Boot(domain.Os) is { } bootProblem)
        {
            throw new LaunchException($"{file}: not supported by kvm-vmm yet: {bootProblem}");
        }

        var unsupported = VmmSupport.Unsupported(domain.Devices).ToList();
        if (unsupported.Count > 0)
        {
            string list = string.Join(", ", unsupported);
            if (!ignoreUnsupported)
            {
                throw new LaunchException($"{file}: not supported by kvm-vmm yet: {list} (--ignore-unsupported runs the VM without them)");
            }

            warn($"{file}: ignoring devices kvm-vmm does not emulate yet: {list}");
        }

        // Everything that can refuse the domain comes before the serial endpoint, which opens files and sockets.
        var topology = TopologyOf(domain, file);
        bool pitReinject = PitReinject(domain.Clock, file);
        var fwCfgFiles = FwCfgMapping.Files(domain.FwCfgEntries, file);
        var smbios = SmbiosMapping.Map(domain, file);
        string? nvram = NvramMapping.Prepare(domain.Os, file);
        var disks = DiskMapping.Open(domain.Devices.Disks, file, warn);
        List<NicConfig> nics = [];
        VsockConfig? vsock = null;
        SerialEndpoint serial;
        try
        {
            nics = NetMapping.Open(domain.Devices.Interfaces, file, warn);
            vsock = VsockMapping.Open(domain.Devices.Vsock, file);
            serial = SerialFor(SerialDevice(domain.Devices));
        }
        catch
        {
            disks.ForEach(d => d.Backend.Dispose());
            nics.ForEach(n => n.Close());
            vsock?.Vhost.Dispose();
            throw;
        }

        var config = new MachineConfig
        {
            MemoryBytes = domain.Memory.CurrentKiB * 1024,
            Vcpus = (int)domain.Vcpu.Current,
            Topology = topology,
            Chipset = VmmSupport.IsQ35(domain.Os.Machine) ? Chipset.Q35 : Chipset.I440fx,
            PitReinject = pitReinject,
            KernelPath = domain.Os.Kernel,
            InitrdPath = domain.Os.Initrd,
            CommandLine = domain.Os.Cmdline ?? string.Empty,
            FirmwarePath = domain.Os.Kernel is null ? VmmSupport.BiosPath(domain.Os) : null,
            NvramPath = nvram,
            BootDisks = domain.Os.Kernel is null ? BootOrder(domain) : [],
            BootMenu = domain.Os.Kernel is null && domain.Os.BootMenu == true,
            BootFailWaitMilliseconds = domain.Os.BiosRebootTimeout ?? -1,
            BootMenuWaitMilliseconds = domain.Os.Kernel is null && domain.Os.BootMenuTimeout is { } wait ? (ushort)Math.Min(wait, ushort.MaxValue) : null,
            SerialOutput = serial.Output,
            Disks = disks,
            Rngs = RngMapping.Map(domain.Devices.Rngs, warn),
            Nics = nics,
            Vsock = vsock,
            Balloon = BalloonMapping.Map(domain.Devices.Memballoon, warn),
            Uuid = domain.Uuid,
            FwCfgFiles = fwCfgFiles,
            Smbios = smbios,
            MachineType = domain.Os.Machine,
        };
        var lifecycle = new LifecyclePolicy(Choice(domain.Lifecycle.OnPoweroff), Choice(domain.Lifecycle.OnReboot), Choice(domain.Lifecycle.OnCrash));
        return new LaunchPlan(config, lifecycle, domain.Name, domain.Uuid, serial, "charserial0");
    }

    /// <summary>
    /// The disks firmware tries, first first: those with a per-device <c>&lt;boot order&gt;</c> by that order; without
    /// any, every disk in the XML's order when <c>&lt;os&gt;&lt;boot dev&gt;</c> names the hard disk or nothing (libvirt's
    /// default), else none (the firmware's own order).
    /// </summary>
    internal static IReadOnlyList<int> BootOrder(DomainDef domain)
    {
        var disks = domain.Devices.Disks;
        int[] ordered = [.. Enumerable.Range(0, disks.Count).Where(i => disks[i].BootOrder is not null).OrderBy(i => disks[i].BootOrder)];
        if (ordered.Length > 0)
        {
            return ordered;
        }

        var devices = domain.Os.BootOrder;
        return devices.Count == 0 || devices.Contains(BootDevice.HardDisk) ? [.. Enumerable.Range(0, disks.Count)] : [];
    }

    /// <summary>
    /// Whether the PIT delivers missed ticks late, from <c>&lt;clock&gt;&lt;timer name='pit' tickpolicy&gt;</c> as libvirt
    /// maps it onto QEMU's in-kernel PIT: none, 'delay' and 'catchup' reinject (the kernel's PIT catches up), 'discard'
    /// drops them; 'merge' is refused, as libvirt refuses it for the PIT.
    /// </summary>
    internal static bool PitReinject(ClockDef clock, string file)
    {
        if (clock.Timers.LastOrDefault(t => t.Name == TimerName.Pit)?.TickPolicy is not { } policy)
        {
            return true;
        }

        return policy switch
        {
            TimerTickPolicy.Delay or TimerTickPolicy.Catchup => true,
            TimerTickPolicy.Discard => false,
            TimerTickPolicy.Merge => throw new LaunchException($"{file}: clock/timer[@name='pit']/@tickpolicy: 'merge' is not supported for the PIT (delay, catchup and discard are)"),
        };
    }

    /// <summary>The vCPU topology from <c>&lt;cpu&gt;&lt;topology&gt;</c>; without one, one socket per vCPU as libvirt does.</summary>
    private static Machine.CpuTopology? TopologyOf(DomainDef domain, string file)
    {
        if (domain.Cpu?.Topology is not { } topology)
        {
            return null;
        }

        if (topology.Dies > 1 || topology.Clusters > 1)
        {
            throw new LaunchException($"{file}: cpu/topology with dies or clusters is not supported yet (sockets, cores and threads are)");
        }

        return new Machine.CpuTopology((int)topology.Sockets, (int)topology.Cores, (int)topology.Threads);
    }

    private static LifecycleChoice Choice(LifecycleAction action) => action switch
    {
        LifecycleAction.Restart or LifecycleAction.RenameRestart or LifecycleAction.CoredumpRestart => LifecycleChoice.Restart,
        LifecycleAction.Destroy or LifecycleAction.Preserve or LifecycleAction.CoredumpDestroy => LifecycleChoice.Destroy,
    };

    /// <summary>
    /// COM1's chardev: the first <c>&lt;serial&gt;</c>, or else a serial <c>&lt;console&gt;</c> (libvirt turns such a
    /// console into a serial port of the same source).
    /// </summary>
    private static ChardevDef? SerialDevice(DevicesDef devices) =>
        devices.Chardevs.FirstOrDefault(c => c.Kind == ChardevKind.Serial)
        ?? devices.Chardevs.FirstOrDefault(c => c.Kind == ChardevKind.Console && c.TargetType is null or "serial");

    private static SerialEndpoint SerialFor(ChardevDef? serial) => serial?.Source switch
    {
        null or { Type: "null" } => SerialEndpoint.Null(),
        { Type: "stdio" } => SerialEndpoint.Stdio(),
        { Type: "file", Path: { } path } => SerialEndpoint.File(path),
        { Type: "pty" } => SerialEndpoint.Pty(),
        { Type: "unix", Path: { } path, Listen: true } => SerialEndpoint.UnixServer(path),
        { Type: "unix", Path: { } path, Listen: false } => SerialEndpoint.UnixClient(path),
        { Type: ("file" or "unix") and var type, Path: null } => throw new LaunchException($"serial type '{type}' needs a <source path='...'/>"),
        { Type: var type } => throw new LaunchException(
            $"serial type '{type}' is not supported yet (pty, file, stdio, null, and unix with a source path in mode 'bind' or 'connect' are)"),
    };
}
