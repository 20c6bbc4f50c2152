using Kvm.DomainXml.Model;

namespace Kvm.Vmm.Support;

/// <summary>
/// What kvm-vmm can run, in the domain model's terms: the one description that kvm-vmm's mapping refuses by, that kvmd
/// checks a domain against before it starts one, and that kvmd's capabilities XML reports, so that kvmd never claims
/// a machine or device that the VMM then refuses. <see cref="Unsupported"/> names each device kvm-vmm cannot run as
/// the XML spells it.
/// </summary>
public static class VmmSupport
{
    /// <summary>
    /// The machine type kvm-vmm builds by default, QEMU's pc (i440FX and PIIX), reported by the capabilities and given
    /// to a domain defined without <c>machine=</c>, as libvirt's QEMU driver gives QEMU's default machine. A q35 domain
    /// gets QEMU's q35 chipset (the Q35 MCH and the ICH9 LPC bridge, <see cref="IsQ35"/>).
    /// </summary>
    public const string Machine = "pc";

    /// <summary>
    /// The machine type names kvm-vmm answers to, as QEMU's x86 PC family spells them: <c>q35</c> and <c>pc</c> (the
    /// aliases), and the versioned <c>pc-q35-X.Y[.Z]</c> and <c>pc-i440fx-X.Y[.Z]</c> that libvirt stores: an i440FX PC
    /// for the pc family, a Q35 one for the q35 family (the versions are one machine each).
    /// </summary>
    public static IReadOnlyList<string> MachineAliases { get; } = [Machine, "q35"];

    /// <summary>Whether kvm-vmm runs a domain whose <c>&lt;os&gt;&lt;type machine&gt;</c> is <paramref name="machine"/>.</summary>
    public static bool IsMachine(string machine) =>
        MachineAliases.Contains(machine) || IsVersioned(machine, "pc-q35-") || IsVersioned(machine, "pc-i440fx-");

    /// <summary>Whether <paramref name="machine"/> names QEMU's q35 (<c>q35</c> or <c>pc-q35-X.Y</c>), built on the Q35 chipset.</summary>
    public static bool IsQ35(string? machine) => machine is not null && (machine == "q35" || IsVersioned(machine, "pc-q35-"));

    /// <summary><c>&lt;disk device&gt;</c> values kvm-vmm runs.</summary>
    public static IReadOnlyList<string> DiskDevices { get; } = ["disk"];

    /// <summary><c>&lt;disk type&gt;</c> values kvm-vmm runs.</summary>
    public static IReadOnlyList<string> DiskTypes { get; } = ["file", "block"];

    /// <summary><c>&lt;target bus&gt;</c> values kvm-vmm runs.</summary>
    public static IReadOnlyList<string> DiskBuses { get; } = ["virtio"];

    /// <summary><c>&lt;disk model&gt;</c> values (virtio-blk-pci in all its libvirt spellings).</summary>
    public static IReadOnlyList<string> DiskModels { get; } = ["virtio", "virtio-transitional", "virtio-non-transitional"];

    /// <summary>Image formats (<c>&lt;driver type&gt;</c>), for the disk and every image of its backing chain.</summary>
    public static IReadOnlyList<string> DiskFormats { get; } = ["raw", "qcow2"];

    /// <summary><c>&lt;rng model&gt;</c> values.</summary>
    public static IReadOnlyList<string> RngModels { get; } = ["virtio", "virtio-transitional", "virtio-non-transitional"];

    /// <summary><c>&lt;rng&gt;&lt;backend model&gt;</c> values.</summary>
    public static IReadOnlyList<string> RngBackends { get; } = ["random", "builtin"];

    /// <summary>Host devices a random backend may read (libvirt allows these three).</summary>
    public static IReadOnlyList<string> RngSources { get; } = ["/dev/random", "/dev/urandom", "/dev/hwrng"];

    /// <summary>
    /// The BIOS a domain without <c>&lt;os&gt;&lt;kernel&gt;</c> and without <c>&lt;loader&gt;</c> boots through:
    /// Debian's SeaBIOS build for QEMU's PC machines (package seabios), as QEMU picks it.
    /// </summary>
    public const string DefaultBios = "/usr/share/seabios/bios-256k.bin";

    /// <summary><c>&lt;loader type&gt;</c> values kvm-vmm boots (a BIOS image, or UEFI code in flash; a missing type means rom, as in libvirt).</summary>
    public static IReadOnlyList<string> LoaderTypes { get; } = ["rom", "pflash"];

    /// <summary>
    /// Why kvm-vmm cannot boot the domain as its <c>&lt;os&gt;</c> says, or null when it can: a Linux kernel directly,
    /// a legacy BIOS (SeaBIOS by default, or the <c>&lt;loader type='rom'&gt;</c> image) that boots the disks, or UEFI
    /// code in flash (<c>&lt;loader type='pflash'&gt;</c>, OVMF) with its variable store (<c>&lt;nvram&gt;</c>).
    /// </summary>
    public static string? Boot(OsDef os) => os switch
    {
        { Machine: { } machine } when !IsMachine(machine) => $"machine type '{machine}'",
        { Kernel: not null, Loader: not null } => "<os> with both <kernel> and <loader> (a kernel boots directly, without firmware)",
        { Kernel: not null } => null,
        { LoaderDetails.Secure: true } => "<loader secure='yes'> (secure boot needs SMM, which kvm-vmm does not emulate)",
        { LoaderDetails.Stateless: true } => "<loader stateless='yes'> (UEFI boots with its variable store in <nvram>)",
        { Firmware: "efi", Loader: null } => "firmware='efi' without a <loader> (kvmd fills in OVMF from the firmware descriptors; kvm-vmm alone needs <loader type='pflash'> and <nvram>)",
        { LoaderDetails.Type: LoaderType.Pflash, NvramDetails: null } => "<loader type='pflash'> without <nvram> (the UEFI variable store)",
        { LoaderDetails.Type: LoaderType.Pflash, NvramDetails: { Path: null } } => "<nvram> without a path (a variable store on a <source> is not supported)",
        _ => null,
    };

    /// <summary>Whether the domain boots UEFI code from flash (<c>&lt;loader type='pflash'&gt;</c>) rather than a BIOS image.</summary>
    public static bool BootsFlash(OsDef os) => os.Kernel is null && os.LoaderDetails?.Type == LoaderType.Pflash;

    /// <summary>The BIOS image a domain that boots through firmware uses: its <c>&lt;loader&gt;</c>, else <see cref="DefaultBios"/>.</summary>
    public static string BiosPath(OsDef os) => os.Loader ?? DefaultBios;

    /// <summary>Every device of the domain kvm-vmm cannot run, named as the XML spells it; empty when it runs them all.</summary>
    public static IEnumerable<string> Unsupported(DevicesDef devices)
    {
        foreach (var disk in devices.Disks)
        {
            if (Disk(disk) is { } reason)
            {
                yield return reason;
            }
        }

        foreach (var nic in devices.Interfaces)
        {
            if (Interface(nic) is { } reason)
            {
                yield return reason;
            }
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

        if (devices.Memballoon is { } balloon && Memballoon(balloon) is { } balloonReason)
        {
            yield return balloonReason;
        }

        foreach (var rng in devices.Rngs)
        {
            if (Rng(rng) is { } reason)
            {
                yield return reason;
            }
        }

        if (devices.Vsock is { } vsock && Vsock(vsock) is { } vsockReason)
        {
            yield return vsockReason;
        }

        foreach (string kind in Kinds(devices))
        {
            yield return kind;
        }
    }

    /// <summary>Why kvm-vmm cannot run this disk, or null when it can.</summary>
    public static string? Disk(DiskDef disk)
    {
        string bus = DiskBus(disk);
        return disk switch
        {
            { Device: var device } when !DiskDevices.Contains(device) => $"disk {disk.TargetDev} (device '{disk.Device}')",
            { Type: var type } when !DiskTypes.Contains(type) => $"disk {disk.TargetDev} (type '{disk.Type}')",
            _ when !DiskBuses.Contains(bus) => $"disk {disk.TargetDev} on bus '{bus}'",
            { DriverType: { } format } when !DiskFormats.Contains(format) => $"disk {disk.TargetDev} (format '{format}')",
            { Source: null } => $"disk {disk.TargetDev} without a source",
            { BackingChain: { } chain } when chain.Any(b => !DiskTypes.Contains(b.Type) || (b.Format is { } f && !DiskFormats.Contains(f)) || b.Source is null) =>
                $"disk {disk.TargetDev} (a backing image that is not a raw or qcow2 file or block device)",
            _ => null,
        };
    }

    /// <summary><c>&lt;interface type&gt;</c> values kvm-vmm runs (a tap it creates or opens; a tap on a bridge, or on a kvmd network's bridge; user-mode networking through passt).</summary>
    public static IReadOnlyList<string> InterfaceTypes { get; } = ["ethernet", "bridge", "network", "user"];

    /// <summary><c>&lt;interface&gt;&lt;model type&gt;</c> values (virtio-net-pci in its libvirt spellings).</summary>
    public static IReadOnlyList<string> InterfaceModels { get; } = ["virtio", "virtio-transitional", "virtio-non-transitional"];

    /// <summary>
    /// The most queue pairs a virtio NIC has (<c>&lt;driver queues&gt;</c>): the device's MSI-X table has 512 vectors
    /// (2N queues, the control queue and the configuration's), as VirtioNetHeader.MaxQueuePairs says in the VMM.
    /// </summary>
    public const int MaxNetQueuePairs = 255;

    /// <summary>
    /// Why kvm-vmm cannot run this interface, or null when it can: a virtio NIC on a tap (<c>type='ethernet'</c>), on
    /// a tap added to an existing bridge (<c>type='bridge'</c>) or on passt (<c>type='user'</c>, whose backend is passt
    /// whether <c>&lt;backend type='passt'/&gt;</c> says so or not), with no script; several queue pairs
/// (<c>&lt;driver queues='N'/&gt;</c>, N up to <see cref="MaxNetQueuePairs"/>) on a tap only;
    /// a tap's frames through vhost-net (<c>&lt;driver name='vhost'/&gt;</c> or none) or the VMM's own datapath (<c>name='qemu'</c>).
    /// </summary>
    public static string? Interface(InterfaceDef nic)
    {
        string name = $"interface type '{nic.Type}'";
        return nic switch
        {
            { Type: var type } when !InterfaceTypes.Contains(type) => name,
            { Model: var model } when model is null || !InterfaceModels.Contains(model) =>
                $"{name} with model '{nic.Model ?? "(default)"}' (only <model type='virtio'/> is)",
            { Script: { } script } => $"{name} with <script path='{script}'/> (kvm-vmm runs no scripts; set the tap up beforehand and use managed='no')",
            { Type: "user", Queues: > 1 } => $"{name} with {nic.Queues} queues (passt carries one queue pair; multiqueue needs a tap: type 'ethernet', 'bridge' or 'network')",
            { Queues: > MaxNetQueuePairs } =>
                $"{name} with {nic.Queues} queues (at most {MaxNetQueuePairs} queue pairs are)",
            { Type: "bridge", Source: null } => $"{name} without a <source bridge='...'/>",
            { Type: "network", SourceBridge: null } => $"{name} whose network has no bridge yet (kvmd puts the running network's bridge on <source network bridge>)",
            { Mtu: > 65535 or (> 0 and < 68) } => $"{name} with MTU {nic.Mtu} (68 to 65535 are)",
            _ => null,
        };
    }

    /// <summary><c>&lt;memballoon model&gt;</c> values (virtio-balloon-pci in its libvirt spellings, and none).</summary>
    public static IReadOnlyList<string> MemballoonModels { get; } = ["virtio", "virtio-transitional", "virtio-non-transitional", "none"];

    /// <summary>
    /// Why kvm-vmm cannot run this memory balloon, or null when it can: virtio-balloon with its statistics queue and
    /// deflate-on-OOM (<c>autodeflate</c>); free page reporting is not offered yet.
    /// </summary>
    public static string? Memballoon(MemballoonDef balloon) => balloon switch
    {
        { Model: var model } when !MemballoonModels.Contains(model.ToXml()) => $"memballoon model '{model.ToXml()}'",
        { Model: not MemballoonModel.None, FreePageReporting: true } => "memballoon with freePageReporting='on'",
        _ => null,
    };

    /// <summary>Why kvm-vmm cannot run this RNG, or null when it can.</summary>
    public static string? Rng(RngDef rng) => rng switch
    {
        { Backend: RngBackendModel.Egd } => "rng backend 'egd'",
        { Backend: RngBackendModel.Random, SourcePath: { } path } when !RngSources.Contains(path) =>
            $"rng backend source '{path}' (/dev/random, /dev/urandom and /dev/hwrng are)",
        _ => null,
    };

    /// <summary>
    /// Why kvm-vmm cannot run this vsock, or null when it can: virtio-vsock through the kernel's vhost-vsock, in any of
    /// libvirt's virtio spellings (kvm-vmm's transport is the modern one whatever the spelling, as for RNGs and disks).
    /// </summary>
    public static string? Vsock(VsockDef vsock) => vsock.Model switch
    {
        VsockModel.Default or VsockModel.Virtio or VsockModel.VirtioTransitional or VsockModel.VirtioNonTransitional => null,
    };

    /// <summary>The disk's bus: <c>&lt;target bus&gt;</c>, else what libvirt infers from the target's prefix.</summary>
    public static string DiskBus(DiskDef disk) => disk.TargetBus ?? disk.TargetDev switch
    {
        var dev when dev.StartsWith("vd", StringComparison.Ordinal) => "virtio",
        var dev when dev.StartsWith("sd", StringComparison.Ordinal) => "scsi",
        var dev when dev.StartsWith("hd", StringComparison.Ordinal) => "ide",
        var dev when dev.StartsWith("fd", StringComparison.Ordinal) => "fdc",
        _ => "unknown",
    };

    /// <summary>A versioned machine name: <paramref name="prefix"/> then two or three dot-separated numbers.</summary>
    private static bool IsVersioned(string machine, string prefix)
    {
        if (!machine.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        string[] parts = machine[prefix.Length..].Split('.');
        return parts.Length is 2 or 3 && parts.All(p => p.Length is > 0 and <= 4 && p.All(char.IsAsciiDigit));
    }

    private static IEnumerable<string> Kinds(DevicesDef devices)
    {
        (int Count, string Name)[] kinds =
        [
            (devices.Sounds.Count, "sound"), (devices.Audios.Count, "audio"),
            (devices.Watchdogs.Count, "watchdog"), (devices.Panics.Count, "panic"), (devices.Filesystems.Count, "filesystem"),
            (devices.Hostdevs.Count, "hostdev"), (devices.Tpms.Count, "tpm"),
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
