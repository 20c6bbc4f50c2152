using Kvm.Driver.Runtime;
using Kvm.Driver.Vmm;
using Kvm.Qmp;
using Kvm.Qmp.Client;
using Kvm.Qmp.Commands;

namespace Kvm.Driver.Domains;

/// <summary>virDomainGetVcpus of a running domain: its vCPUs from query-cpus-fast, their CPU time and host CPU from /proc.</summary>
internal sealed class DomainVcpus
{
    private readonly DomainTable _table;

    public DomainVcpus(DomainTable table)
    {
        _table = table;
    }

    public async ValueTask<IReadOnlyList<DomainVcpuInfo>> GetVcpusAsync(Guid uuid, CancellationToken cancellationToken)
    {
        var entry = _table.Find(uuid);
        VmmInstance vmm;
        uint count;
        lock (_table.Gate)
        {
            DomainStateMachine.Decide(DomainOperation.GetVcpus, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
            vmm = entry.Vmm ?? throw DomainErrors.OperationFailed("domain is no longer running");
            count = entry.Current.Definition.Vcpu.Current;
        }

        try
        {
            IReadOnlyList<QmpCpuInfoFast> cpus = await vmm.Qmp.QueryCpusFastAsync(cancellationToken).ConfigureAwait(false);
            // An empty list is a monitor without a machine (kvm-vmm --machine none): fall back to the process below.
            if (cpus is { Count: > 0 })
            {
                return cpus.Select(cpu => ProcStat.TryReadThread(vmm.Process.Pid, cpu.ThreadId, out ProcStat stat)
                    ? new DomainVcpuInfo((uint)cpu.CpuIndex, 1, stat.CpuTimeNs, stat.Processor)
                    : new DomainVcpuInfo((uint)cpu.CpuIndex, 1, 0, -1)).ToArray();
            }
        }
        catch (QmpException e) when (e.ErrorClass == QmpErrorClass.CommandNotFound)
        {
            // An older VMM without query-cpus-fast: the process stands for all its vCPUs.
        }
        catch (QmpConnectionException e)
        {
            throw DomainErrors.OperationFailed("domain is no longer running", e);
        }

        bool known = ProcStat.TryRead(vmm.Process.Pid, out ProcStat process);
        return Enumerable.Range(0, (int)count)
            .Select(i => new DomainVcpuInfo((uint)i, 1, known ? process.CpuTimeNs / Math.Max(count, 1) : 0, known ? process.Processor : -1))
            .ToArray();
    }
}
