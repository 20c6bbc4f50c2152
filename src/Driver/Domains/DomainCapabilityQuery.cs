using Kvm.Vmm.Support;

namespace Kvm.Driver.Domains;

/// <summary>
/// The driver core's answer to which emulator, arch, machine and virt type a domain capabilities query
/// (virConnectGetDomainCapabilities) is for, with libvirt's defaults for empty arguments and libvirt's errors
/// (virQEMUCapsCacheLookupDefault, qemuConnectGetDomainCapabilities) for what kvm-vmm does not run. It accepts exactly
/// what define and start accept: kvm-vmm, x86_64, type 'kvm' and the machine names of <see cref="VmmSupport.IsMachine"/>.
/// </summary>
public static class DomainCapabilityQuery
{
    /// <summary>The guest architecture kvm-vmm runs (and the host's, the default).</summary>
    public const string Arch = "x86_64";

    /// <summary>The virt type kvm-vmm runs.</summary>
    public const string VirtType = "kvm";

    // virArch's names (util/virarch.c) and virDomainVirtType's (conf/domain_conf.c): anything else is "unknown".
    private static readonly HashSet<string> s_arches =
    [
        "alpha", "armv6l", "armv7l", "armv7b", "aarch64", "cris", "i686", "ia64", "lm32", "m68k", "microblaze", "microblazeel",
        "mips", "mipsel", "mips64", "mips64el", "openrisc", "parisc", "parisc64", "ppc", "ppcle", "ppc64", "ppc64le", "ppcemb",
        "riscv32", "riscv64", "s390", "s390x", "sh4", "sh4eb", "sparc", "sparc64", "unicore32", "x86_64", "xtensa", "xtensaeb",
    ];

    private static readonly HashSet<string> s_virtTypes =
    [
        "none", "qemu", "kqemu", "kvm", "xen", "lxc", "uml", "openvz", "test", "vmware", "hyperv", "vbox", "phyp", "parallels",
        "bhyve", "vz", "hvf",
    ];

    /// <summary>
    /// Resolves a query; an empty string stands for NULL (libvirt's default). <paramref name="vmmPath"/> is the kvm-vmm
    /// executable kvmd runs, the one emulator it has.
    /// </summary>
    public static DomainCapabilityTarget Resolve(string emulator, string arch, string machine, string virtType, string vmmPath)
    {
        if (virtType.Length > 0 && !s_virtTypes.Contains(virtType))
        {
            throw DomainErrors.InvalidArg($"unknown virttype: {virtType}");
        }

        if (arch.Length > 0 && !s_arches.Contains(arch))
        {
            throw DomainErrors.InvalidArg($"unknown architecture: {arch}");
        }

        string wantedArch = arch.Length > 0 ? arch : Arch;
        if (emulator.Length == 0)
        {
            if (!IsX86(wantedArch))
            {
                throw DomainErrors.ConfigUnsupported($"unable to find any emulator to serve '{arch}' architecture");
            }
        }
        else if (emulator != vmmPath)
        {
            if (!File.Exists(emulator) && !Directory.Exists(emulator))
            {
                throw new DomainOperationException(VirErrorCode.SystemError, $"Cannot check QEMU binary {emulator}: No such file or directory");
            }

            throw DomainErrors.InvalidArg($"unknown emulator binary '{emulator}', kvmd runs '{vmmPath}'");
        }
        else if (!IsX86(wantedArch))
        {
            throw DomainErrors.InvalidArg($"architecture from emulator '{Arch}' doesn't match given architecture '{arch}'");
        }

        if (wantedArch != Arch)
        {
            throw DomainErrors.InvalidArg($"Emulator '{vmmPath}' does not support arch '{wantedArch}'");
        }

        string wantedVirtType = virtType.Length > 0 ? virtType : VirtType;
        if (wantedVirtType != VirtType)
        {
            throw DomainErrors.InvalidArg($"Emulator '{vmmPath}' does not support virt type '{wantedVirtType}'");
        }

        if (machine.Length > 0 && !VmmSupport.IsMachine(machine))
        {
            throw DomainErrors.InvalidArg($"the machine '{machine}' is not supported by emulator '{vmmPath}'");
        }

        return new DomainCapabilityTarget(vmmPath, wantedArch, machine.Length > 0 ? machine : VmmSupport.Machine, wantedVirtType);
    }

    /// <summary>Whether libvirt knows <paramref name="arch"/> as an architecture name (virArchFromString).</summary>
    public static bool IsArch(string arch) => s_arches.Contains(arch);

    private static bool IsX86(string arch) => arch is "x86_64" or "i686";
}
