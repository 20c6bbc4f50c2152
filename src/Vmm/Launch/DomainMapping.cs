using Kvm.DomainXml.Model;
using Kvm.Vmm.Machine;
using Kvm.Vmm.Monitor;
using Kvm.Vmm.Support;

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
}
