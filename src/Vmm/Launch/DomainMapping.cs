using Kvm.DomainXml.Model;
using Kvm.Vmm.Machine;
using Kvm.Vmm.Monitor;

namespace Kvm.Vmm.Launch;

/// <summary>
/// Maps a domain definition onto the machine kvm-vmm can build: direct kernel boot on x86_64 with KVM, memory,
/// vCPUs, the first serial port and the lifecycle actions. A device the VMM does not emulate yet is refused by name
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

        if (domain.Os.Kernel is not { } kernel)
        {
            throw new LaunchException($"{file}: no <os><kernel>: kvm-vmm boots a Linux kernel directly; firmware boot is not supported yet");
        }

        var unsupported = Unsupported(domain.Devices).ToList();
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
        var fwCfgFiles = FwCfgMapping.Files(domain.FwCfgEntries, file);
        var disks = DiskMapping.Open(domain.Devices.Disks, file, warn);
        SerialEndpoint serial;
        try
        {
            serial = SerialFor(SerialDevice(domain.Devices));
        }
        catch
        {
            disks.ForEach(d => d.Backend.Dispose());
            throw;
        }

        var config = new MachineConfig
        {
            MemoryBytes = domain.Memory.CurrentKiB * 1024,
            Vcpus = (int)domain.Vcpu.Current,
            Topology = topology,
            KernelPath = kernel,
            InitrdPath = domain.Os.Initrd,
            CommandLine = domain.Os.Cmdline ?? string.Empty,
            SerialOutput = serial.Output,
            Disks = disks,
            Rngs = RngMapping.Map(domain.Devices.Rngs, warn),
            Uuid = domain.Uuid,
            FwCfgFiles = fwCfgFiles,
        };
        var lifecycle = new LifecyclePolicy(Choice(domain.Lifecycle.OnPoweroff), Choice(domain.Lifecycle.OnReboot), Choice(domain.Lifecycle.OnCrash));
        return new LaunchPlan(config, lifecycle, domain.Name, domain.Uuid, serial, "charserial0");
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

    private static IEnumerable<string> Unsupported(DevicesDef devices)
    {
        foreach (var disk in devices.Disks)
        {
            if (DiskMapping.Unsupported(disk) is { } reason)
            {
                yield return reason;
            }
        }

        foreach (var nic in devices.Interfaces)
        {
            yield return $"interface type '{nic.Type}'";
        }

        foreach (var chardev in devices.Chardevs)
        {
            bool firstSerial = chardev.Kind == ChardevKind.Serial && (chardev.TargetPort ?? 0) == 0;
            bool serialConsole = chardev.Kind == ChardevKind.Console && chardev.TargetType is null or "serial";
            if (!firstSerial && !serialConsole)
            {
                yield return $"{chardev.Kind.ToString().ToLowerInvariant()} (port {chardev.TargetPort ?? 0})";
            }
        }

        foreach (var input in devices.Inputs.Where(i => i.Bus != InputBus.Ps2))
        {
            yield return input.Bus is { } bus ? $"input type '{input.Type.ToXml()}' on bus '{bus.ToXml()}'" : $"input type '{input.Type.ToXml()}'";
        }

        foreach (var item in devices.Graphics)
        {
            yield return $"graphics type '{item.Type}'";
        }

        foreach (var _ in devices.Videos)
        {
            yield return "video";
        }

        if (devices.Memballoon is { Model: not MemballoonModel.None })
        {
            yield return $"memballoon model '{devices.Memballoon.Model.ToXml()}'";
        }

        foreach (var rng in devices.Rngs)
        {
            if (RngMapping.Unsupported(rng) is { } reason)
            {
                yield return reason;
            }
        }

        foreach (string kind in Kinds(devices))
        {
            yield return kind;
        }
    }

    private static IEnumerable<string> Kinds(DevicesDef devices)
    {
        (int Count, string Name)[] kinds =
        [
            (devices.Sounds.Count, "sound"), (devices.Audios.Count, "audio"),
            (devices.Watchdogs.Count, "watchdog"), (devices.Panics.Count, "panic"), (devices.Filesystems.Count, "filesystem"),
            (devices.Hostdevs.Count, "hostdev"), (devices.Tpms.Count, "tpm"), (devices.Vsock is null ? 0 : 1, "vsock"),
            (devices.Iommu is null ? 0 : 1, "iommu"),
        ];
        foreach (var (count, name) in kinds.Where(k => k.Count > 0))
        {
            yield return name;
        }

        foreach (string other in devices.OtherKinds)
        {
            yield return other;
        }
    }
}
