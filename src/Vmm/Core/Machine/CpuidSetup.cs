using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Machine;

/// <summary>
/// The CPUID a vCPU sees: what KVM supports on this host, with the hypervisor bit set and every leaf that describes
/// the topology rewritten for the VM's, so the guest's view of sockets, cores, threads and APIC ids is consistent:
/// leaf 1 (APIC id, logical count, HTT), leaf 4 (cores per package, threads per cache), leaves 0xb and 0x1f (x2APIC
/// topology levels) and, on AMD, 0x80000001 (CmpLegacy), 0x80000008 (core count) and 0x8000001e (core and node ids).
/// </summary>
internal static class CpuidSetup
{
    private const uint HypervisorBit = 1u << 31;     // leaf 1 ECX
    private const uint HttBit = 1u << 28;            // leaf 1 EDX
    private const uint CmpLegacyBit = 1u << 1;       // leaf 0x80000001 ECX
    private const uint AmdVendorEbx = 0x6874_7541;   // "Auth"
    private const uint LevelSmt = 1, LevelCore = 2;  // leaf 0xb/0x1f ECX[15:8]

    public static KvmCpuidEntry2[] ForVcpu(KvmCpuidEntry2[] supported, int index, CpuTopology topology)
    {
        var entries = (KvmCpuidEntry2[])supported.Clone();
        bool amd = Array.Exists(entries, e => e.Function == 0 && e.Ebx == AmdVendorEbx);
        uint apicId = (uint)topology.ApicId(index);
        uint perSocket = (uint)topology.ThreadsPerSocket;
        for (int i = 0; i < entries.Length; i++)
        {
            ref var entry = ref entries[i];
            switch (entry.Function)
            {
                case 1:
                    entry.Ebx = (entry.Ebx & 0x0000ffff) | (Math.Min(perSocket, 255) << 16) | (apicId << 24);
                    entry.Ecx |= HypervisorBit;
                    entry.Edx = perSocket > 1 ? entry.Edx | HttBit : entry.Edx & ~HttBit;
                    break;
                case 4 when (entry.Eax & 0x1f) != 0:
                    uint level = (entry.Eax >> 5) & 0x7;
                    uint sharing = level >= 3 ? perSocket : (uint)topology.Threads;
                    entry.Eax = (entry.Eax & 0x3fff) | ((sharing - 1) << 14) | (((1u << topology.CoreBits) - 1) << 26);
                    break;
                case 0xb or 0x1f:
                    SetTopologyLevel(ref entry, topology, apicId);
                    break;
                case 0x8000_0001 when amd:
                    entry.Ecx = perSocket > 1 ? entry.Ecx | CmpLegacyBit : entry.Ecx & ~CmpLegacyBit;
                    break;
                case 0x8000_0008 when amd:
                    entry.Ecx = (entry.Ecx & ~0xf0ffu) | (perSocket - 1) | ((uint)(topology.CoreBits + topology.ThreadBits) << 12);
                    break;
                case 0x8000_001e when amd:
                    entry.Eax = apicId;
                    entry.Ebx = ((uint)(topology.Threads - 1) << 8) | (uint)topology.CoreOf(index);
                    entry.Ecx = (uint)topology.SocketOf(index);
                    break;
            }
        }

        return entries;
    }

    private static void SetTopologyLevel(ref KvmCpuidEntry2 entry, CpuTopology topology, uint apicId)
    {
        entry.Edx = apicId;
        switch (entry.Index)
        {
            case 0:
                entry.Eax = (uint)topology.ThreadBits;
                entry.Ebx = (uint)topology.Threads;
                entry.Ecx = LevelSmt << 8;
                break;
            case 1:
                entry.Eax = (uint)(topology.CoreBits + topology.ThreadBits);
                entry.Ebx = (uint)topology.ThreadsPerSocket;
                entry.Ecx = (LevelCore << 8) | 1;
                break;
            default:
                entry.Eax = 0;
                entry.Ebx = 0;
                entry.Ecx = entry.Index;
                break;
        }
    }
}
