using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Machine;

/// <summary>
/// The CPUID a vCPU sees: what KVM supports on this host, with the vCPU's APIC id, the vCPU count and the
/// hypervisor bit filled in consistently (leaf 1, and the x2APIC topology leaf 0xb).
/// </summary>
internal static class CpuidSetup
{
    private const uint HypervisorBit = 1u << 31;

    public static KvmCpuidEntry2[] ForVcpu(KvmCpuidEntry2[] supported, int id, int count)
    {
        var entries = (KvmCpuidEntry2[])supported.Clone();
        for (int i = 0; i < entries.Length; i++)
        {
            ref var entry = ref entries[i];
            switch (entry.Function)
            {
                case 1:
                    entry.Ebx = (entry.Ebx & 0x0000ffff) | ((uint)Math.Min(count, 255) << 16) | ((uint)id << 24);
                    entry.Ecx |= HypervisorBit;
                    break;
                case 0xb:
                    entry.Edx = (uint)id;
                    break;
            }
        }

        return entries;
    }
}
