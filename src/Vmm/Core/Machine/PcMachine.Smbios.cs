using Kvm.Vmm.Boot;
using Kvm.Vmm.Firmware.Smbios;
using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Machine;

/// <summary>The machine's SMBIOS tables, from its configuration and what it is built of.</summary>
public sealed partial class PcMachine
{
    /// <summary>The model kvm-vmm's tables name by default (type 1 and 2 product), after the chipset.</summary>
    internal static string ProductName(Chipset chipset) => chipset switch
    {
        Chipset.I440fx => "kvm-vmm PC (i440FX + PIIX)",
        Chipset.Q35 => "kvm-vmm PC (Q35 + ICH9)",
    };

    /// <summary>
    /// The tables for <paramref name="config"/>: its UUID and <see cref="MachineConfig.Smbios"/> values over kvm-vmm's
    /// defaults, a processor per socket with the host's CPUID signature (leaf 1 EAX and EDX, as KVM offers them), and
    /// the RAM <paramref name="regions"/>.
    /// </summary>
    private static SmbiosTables BuildSmbios(MachineConfig config, CpuTopology topology, IReadOnlyList<(ulong GuestAddress, ulong Size)> regions,
        KvmCpuidEntry2[] cpuid, bool firmware)
    {
        var leaf1 = Array.Find(cpuid, e => e.Function == 1);
        var platform = new SmbiosPlatform(
            config.Uuid,
            ProductName(config.Chipset),
            config.MachineType ?? (config.Chipset == Chipset.Q35 ? "q35" : "pc"),
            topology.Sockets,
            topology.Cores,
            topology.Threads,
            config.Vcpus,
            leaf1.Eax | ((ulong)leaf1.Edx << 32),
            [.. regions.Select(r => (r.GuestAddress, r.Size))],
            firmware);
        try
        {
            return SmbiosTables.Build(config.Smbios, platform);
        }
        catch (ArgumentException e)
        {
            throw new BootException(e.Message);
        }
    }
}
