using System.Text.Json.Nodes;
using Kvm.DomainXml;
using Kvm.Driver.Runtime;
using Kvm.Driver.Vmm;
using Kvm.Qmp;
using Kvm.Qmp.Client;

namespace Kvm.Driver.Domains;

public sealed partial class DomainManager
{
    public ValueTask<DomainInfo> CreateTransientAsync(string xml, CancellationToken cancellationToken) =>
        CreateTransientAsync(xml, paused: false, cancellationToken);

    public async ValueTask<DomainInfo> CreateTransientAsync(string xml, bool paused, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(xml);
        DomainDocument document = ParseNew(xml);
        var def = document.Definition;
        DomainEntry? existing;
        lock (_gate)
        {
            CheckIdentity(def.Name, def.Uuid);
            _byUuid.TryGetValue(def.Uuid, out existing);
        }

        DomainEntry entry = existing ?? new DomainEntry(def.Uuid, def.Name);
        await entry.Job.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int id;
            lock (_storeLock)
            {
                lock (_gate)
                {
                    CheckIdentity(def.Name, def.Uuid);
                    if (existing is not null)
                    {
                        // Starting a defined, inactive domain from new XML: it runs with that XML and stays persistent.
                        if (existing.Removed)
                        {
                            throw DomainErrors.NoDomainByUuid(def.Uuid);
                        }

                        DomainStateMachine.Decide(DomainOperation.CreateOver, existing.State, existing.Reason, existing.Persistent is not null, existing.Name).ThrowIfRefused();
                    }
                    else if (_byUuid.TryGetValue(def.Uuid, out DomainEntry? racing))
                    {
                        // Another CreateXML or Define of the same domain got in first.
                        DomainStateMachine.Decide(DomainOperation.CreateOver, racing.State, racing.Reason, racing.Persistent is not null, racing.Name).ThrowIfRefused();
                        throw DomainErrors.OperationFailed($"domain '{def.Name}' is already being defined");
                    }
                    else
                    {
                        _byUuid.Add(entry.Uuid, entry);
                        _byName.Add(entry.Name, entry);
                    }

                    id = BeginStartLocked(entry);
                }
            }

            await LaunchAsync(entry, document, id, paused, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            entry.Job.Release();
        }

        return Snapshot(entry) ?? throw DomainErrors.OperationFailed("domain is no longer running");
    }

    public ValueTask StartAsync(Guid uuid, CancellationToken cancellationToken) => StartAsync(uuid, paused: false, cancellationToken);

    public async ValueTask StartAsync(Guid uuid, bool paused, CancellationToken cancellationToken)
    {
        var entry = Find(uuid);
        await entry.Job.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int id;
            DomainDocument source;
            lock (_gate)
            {
                if (entry.Removed)
                {
                    throw DomainErrors.NoDomainByUuid(uuid);
                }

                DomainStateMachine.Decide(DomainOperation.Start, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
                source = entry.Persistent!;
                id = BeginStartLocked(entry);
            }

            await LaunchAsync(entry, source, id, paused, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            entry.Job.Release();
        }
    }

    public ValueTask SuspendAsync(Guid uuid, CancellationToken cancellationToken) =>
        CommandAsync(uuid, DomainOperation.Suspend, "stop", new VmmEvent(VmmEventKind.Stop), cancellationToken);

    public ValueTask ResumeAsync(Guid uuid, CancellationToken cancellationToken) =>
        CommandAsync(uuid, DomainOperation.Resume, "cont", new VmmEvent(VmmEventKind.Resume), cancellationToken);

    public async ValueTask DestroyAsync(Guid uuid, CancellationToken cancellationToken)
    {
        var entry = Find(uuid);
        await entry.Job.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            VmmInstance? vmm;
            TaskCompletionSource? stopped;
            lock (_gate)
            {
                DomainStateMachine.Decide(DomainOperation.Destroy, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
                entry.Destroying = true;
                vmm = entry.Vmm;
                stopped = entry.Stopped;
            }

            if (vmm is null || stopped is null)
            {
                throw DomainErrors.Internal("domain has no VMM process");
            }

            try
            {
                await vmm.Process.TerminateAsync(Options.DestroyGracePeriod, Options.KillTimeout).ConfigureAwait(false);
                await stopped.Task.WaitAsync(Options.KillTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw DomainErrors.OperationFailed($"failed to terminate process {vmm.Process.Pid} with SIGKILL", e);
            }
        }
        finally
        {
            entry.Job.Release();
        }
    }

    public async ValueTask<IReadOnlyList<DomainVcpuInfo>> GetVcpusAsync(Guid uuid, CancellationToken cancellationToken)
    {
        var entry = Find(uuid);
        VmmInstance vmm;
        uint count;
        lock (_gate)
        {
            DomainStateMachine.Decide(DomainOperation.GetVcpus, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
            vmm = entry.Vmm ?? throw DomainErrors.OperationFailed("domain is no longer running");
            count = entry.Current.Definition.Vcpu.Current;
        }

        try
        {
            JsonNode? cpus = await vmm.ExecuteAsync("query-cpus-fast", null, cancellationToken).ConfigureAwait(false);
            // An empty list is a monitor without a machine (kvm-vmm --machine none): fall back to the process below.
            if (cpus is JsonArray { Count: > 0 } array)
            {
                return array.OfType<JsonObject>().Select(cpu =>
                {
                    // QMP integers arrive as 64-bit numbers.
                    uint index = (uint)(cpu["cpu-index"]?.GetValue<long>() ?? 0);
                    int tid = (int)(cpu["thread-id"]?.GetValue<long>() ?? 0);
                    return ProcStat.TryReadThread(vmm.Process.Pid, tid, out ProcStat stat)
                        ? new DomainVcpuInfo(index, 1, stat.CpuTimeNs, stat.Processor)
                        : new DomainVcpuInfo(index, 1, 0, -1);
                }).ToArray();
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

    /// <summary>Marks a domain as starting (paused, starting up) with the next id; called under the gate.</summary>
    private int BeginStartLocked(DomainEntry entry)
    {
        int id = ++_lastId;
        entry.Id = id;
        entry.State = DomainState.Paused;
        entry.Reason = DomainStateReason.PausedStartingUp;
        entry.Destroying = false;
        entry.Stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return id;
    }

    /// <summary>One QMP command for a state-gated operation; <paramref name="expected"/> is applied at once on success.</summary>
    private async ValueTask CommandAsync(Guid uuid, DomainOperation operation, string command, VmmEvent? expected, CancellationToken cancellationToken)
    {
        var entry = Find(uuid);
        await entry.Job.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            VmmInstance? vmm;
            lock (_gate)
            {
                if (!DomainStateMachine.Decide(operation, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused())
                {
                    return;
                }

                vmm = entry.Vmm ?? throw DomainErrors.OperationFailed("domain is no longer running");
            }

            await ExecuteAsync(vmm, command, null, cancellationToken).ConfigureAwait(false);
            if (expected is { } vmmEvent)
            {
                Apply(entry, vmm, vmmEvent);
            }
        }
        finally
        {
            entry.Job.Release();
        }
    }

    /// <summary>A QMP command with libvirt's errors for what can go wrong.</summary>
    private static async Task<JsonNode?> ExecuteAsync(VmmInstance vmm, string command, JsonObject? arguments, CancellationToken cancellationToken)
    {
        try
        {
            return await vmm.ExecuteAsync(command, arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (QmpException e)
        {
            throw DomainErrors.Internal($"unable to execute QEMU command '{command}': {e.Message}", e);
        }
        catch (QmpConnectionException e)
        {
            throw DomainErrors.OperationFailed("domain is no longer running", e);
        }
        catch (TimeoutException e)
        {
            throw DomainErrors.Timeout($"the monitor did not answer '{command}'", e);
        }
    }
}
