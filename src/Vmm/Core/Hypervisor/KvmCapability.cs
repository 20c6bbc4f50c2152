namespace Kvm.Vmm.Hypervisor;

/// <summary>The KVM capabilities (KVM_CAP_*, linux/kvm.h) the VMM checks for.</summary>
public static class KvmCapability
{
    public const int Irqchip = 0;
    public const int Hlt = 1;
    public const int UserMemory = 3;
    public const int SetTssAddr = 4;
    public const int ExtCpuid = 7;
    public const int NrVcpus = 9;
    public const int NrMemslots = 10;
    public const int Pit2 = 33;
    public const int SetIdentityMapAddr = 37;
    public const int ReadonlyMem = 81;
    public const int ImmediateExit = 136;

    /// <summary>What the VMM cannot work without; <see cref="KvmSystem.Open"/> refuses a KVM that lacks one.</summary>
    public static readonly int[] Required = [Irqchip, Hlt, UserMemory, SetTssAddr, ExtCpuid, Pit2, SetIdentityMapAddr, ImmediateExit];

    public static string Name(int capability) => capability switch
    {
        Irqchip => "IRQCHIP",
        Hlt => "HLT",
        UserMemory => "USER_MEMORY",
        SetTssAddr => "SET_TSS_ADDR",
        ExtCpuid => "EXT_CPUID",
        NrVcpus => "NR_VCPUS",
        NrMemslots => "NR_MEMSLOTS",
        Pit2 => "PIT2",
        SetIdentityMapAddr => "SET_IDENTITY_MAP_ADDR",
        ImmediateExit => "IMMEDIATE_EXIT",
        ReadonlyMem => "READONLY_MEM",
        _ => capability.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
