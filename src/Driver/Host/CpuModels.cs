using Kvm.Driver.Domains;

namespace Kvm.Driver.Host;

/// <summary>
/// virConnectGetCPUModelNames as libvirt's QEMU driver answers it (qemuConnectGetCPUModelNames, virCPUGetModels): the
/// CPU models of libvirt's CPU map for the architecture, whatever the emulator. kvmd holds the names of libvirt 9.0's
/// x86 and ppc64 maps (cpu_map/index.xml, in its order); the arm and s390 drivers have no list (none is sent), and
/// for an architecture without a CPU driver the answer is libvirt's "not supported".
/// </summary>
public static class CpuModels
{
    private static readonly string[] s_x86 =
    [
        "486", "pentium", "pentium2", "pentium3", "pentiumpro", "coreduo", "n270", "core2duo", "qemu32", "kvm32",
        "cpu64-rhel5", "cpu64-rhel6", "qemu64", "kvm64", "Conroe", "Penryn", "Nehalem", "Nehalem-IBRS", "Westmere",
        "Westmere-IBRS", "SandyBridge", "SandyBridge-IBRS", "IvyBridge", "IvyBridge-IBRS", "Haswell-noTSX",
        "Haswell-noTSX-IBRS", "Haswell", "Haswell-IBRS", "Broadwell-noTSX", "Broadwell-noTSX-IBRS", "Broadwell",
        "Broadwell-IBRS", "Skylake-Client", "Skylake-Client-IBRS", "Skylake-Client-noTSX-IBRS", "Skylake-Server",
        "Skylake-Server-IBRS", "Skylake-Server-noTSX-IBRS", "Cascadelake-Server", "Cascadelake-Server-noTSX",
        "Icelake-Client", "Icelake-Client-noTSX", "Icelake-Server", "Icelake-Server-noTSX", "Cooperlake", "Snowridge",
        "athlon", "phenom", "Opteron_G1", "Opteron_G2", "Opteron_G3", "Opteron_G4", "Opteron_G5", "EPYC", "EPYC-IBPB",
        "EPYC-Rome", "EPYC-Milan", "Dhyana",
    ];

    private static readonly string[] s_ppc64 = ["POWER6", "POWER7", "POWER8", "POWER9", "POWER10", "POWERPC_e5500", "POWERPC_e6500"];

    public static IReadOnlyList<string> Names(string arch, uint flags)
    {
        HostErrors.CheckNoFlags(flags, "qemuConnectGetCPUModelNames");
        if (!DomainCapabilityQuery.IsArch(arch))
        {
            throw DomainErrors.InvalidArg($"cannot find architecture {arch}");
        }
        return arch switch
        {
            "x86_64" or "i686" => s_x86,
            "ppc64" or "ppc64le" => s_ppc64,
            // libvirt's CPU drivers for these have no model list: "all CPU models are accepted", says virsh
            "armv6l" or "armv7l" or "armv7b" or "aarch64" or "s390" or "s390x" => [],
            _ => throw Unsupported(arch),
        };
    }

    private static DomainOperationException Unsupported(string arch) => new(VirErrorCode.NoSupport,
        $"this function is not supported by the connection driver: '{arch}' architecture is not supported by CPU driver");
}
