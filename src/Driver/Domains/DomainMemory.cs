using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kvm.DomainXml.Model;
using Kvm.Driver.Vmm;
using Kvm.Qmp;
using Kvm.Qmp.Client;

namespace Kvm.Driver.Domains;

/// <summary>
/// A running domain's memory through its VMM's balloon, as libvirt's QEMU driver does it: virDomainMemoryStats from
/// query-balloon (actual), the balloon's QOM guest-stats and the VMM's resident size (/proc/PID/status VmRSS);
/// virDomainSetMemory live through the balloon command; virDomainSetMemoryStatsPeriod through qom-set.
/// </summary>
internal sealed class DomainMemory
{
    /// <summary>The balloon's QOM path: libvirt's alias balloon0 under /machine/peripheral, where kvm-vmm and QEMU put it.</summary>
    public const string BalloonPath = "/machine/peripheral/balloon0";

    // QEMU's guest-stats members, libvirt's tags and divisors (qemuMonitorJSONGetMemoryStats).
    private static readonly (string Name, int Tag, ulong Divisor)[] s_guestStats =
    [
        ("stat-swap-in", DomainMemoryStat.SwapIn, 1024), ("stat-swap-out", DomainMemoryStat.SwapOut, 1024),
        ("stat-major-faults", DomainMemoryStat.MajorFault, 1), ("stat-minor-faults", DomainMemoryStat.MinorFault, 1),
        ("stat-free-memory", DomainMemoryStat.Unused, 1024), ("stat-total-memory", DomainMemoryStat.Available, 1024),
        ("stat-available-memory", DomainMemoryStat.Usable, 1024), ("stat-disk-caches", DomainMemoryStat.DiskCaches, 1024),
        ("stat-htlb-pgalloc", DomainMemoryStat.HugetlbPgalloc, 1), ("stat-htlb-pgfail", DomainMemoryStat.HugetlbPgfail, 1),
    ];

    private readonly DomainTable _table;

    public DomainMemory(DomainTable table)
    {
        _table = table;
    }

    /// <summary>
    /// The running domain's memory statistics, in libvirt's order: actual balloon, the guest's figures it has reported
    /// (those it never sent are left out), last update, and the VMM's RSS. Without a balloon only the RSS.
    /// </summary>
    public async ValueTask<IReadOnlyList<DomainMemoryStat>> GetStatsAsync(Guid uuid, CancellationToken cancellationToken)
    {
        var (vmm, balloon, _) = Running(uuid);
        var stats = new List<DomainMemoryStat>(DomainMemoryStat.Count);
        if (balloon)
        {
            try
            {
                JsonNode? info = await vmm.Qmp.ExecuteAsync("query-balloon", null, cancellationToken).ConfigureAwait(false);
                if (info?["actual"] is JsonValue actual && actual.TryGetValue(out long bytes))
                {
                    stats.Add(new(DomainMemoryStat.ActualBalloon, (ulong)bytes / 1024));
                }

                JsonNode? guest = await vmm.Qmp.ExecuteAsync("qom-get", new JsonObject { ["path"] = BalloonPath, ["property"] = "guest-stats" },
                    cancellationToken).ConfigureAwait(false);
                AddGuestStats(stats, guest);
            }
            catch (QmpException)
            {
                // A VMM without the balloon commands: the RSS alone, as libvirt when the monitor answers nothing.
            }
            catch (QmpConnectionException e)
            {
                throw DomainErrors.OperationFailed("domain is no longer running", e);
            }
        }

        if (ReadRss(vmm.Process.Pid) is { } rss)
        {
            stats.Add(new(DomainMemoryStat.Rss, rss));
        }

        return stats;
    }

    /// <summary>The guest figures of a guest-stats reply (QEMU's (uint64)-1 means never reported, and is left out).</summary>
    internal static void AddGuestStats(List<DomainMemoryStat> stats, JsonNode? guest)
    {
        if (guest?["stats"] is not JsonObject values)
        {
            return;
        }

        foreach (var (name, tag, divisor) in s_guestStats)
        {
            if (values[name] is JsonValue value && value.TryGetValue(out ulong figure) && figure != ulong.MaxValue)
            {
                stats.Add(new(tag, figure / divisor));
            }

            if (tag == DomainMemoryStat.Usable && guest["last-update"] is JsonValue update && update.TryGetValue(out ulong seconds))
            {
                stats.Add(new(DomainMemoryStat.LastUpdate, seconds));
            }
        }
    }

    /// <summary>virDomainSetMemory of a running domain: the balloon's target, at most the maximum memory.</summary>
    public async ValueTask SetMemoryAsync(Guid uuid, ulong kib, CancellationToken cancellationToken)
    {
        var (vmm, balloon, maxKib) = Running(uuid);
        if (kib > maxKib)
        {
            throw DomainErrors.InvalidArg("cannot set memory higher than max memory");
        }

        if (!balloon)
        {
            throw new DomainOperationException(VirErrorCode.OperationInvalid,
                "Requested operation is not valid: Unable to change memory of active domain without the balloon device and guest OS balloon driver");
        }

        await ExecuteAsync(vmm, "balloon", new JsonObject { ["value"] = checked((long)kib * 1024) }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>virDomainSetMemoryStatsPeriod of a running domain: the balloon's guest-stats-polling-interval.</summary>
    public async ValueTask SetStatsPeriodAsync(Guid uuid, int period, CancellationToken cancellationToken)
    {
        if (period < 0)
        {
            throw DomainErrors.InvalidArg("range exceeded");
        }

        var (vmm, balloon, _) = Running(uuid);
        if (!balloon)
        {
            throw new DomainOperationException(VirErrorCode.OperationInvalid, "Requested operation is not valid: No memory balloon device configured, can not set the collection period");
        }

        await ExecuteAsync(vmm, "qom-set", new JsonObject { ["path"] = BalloonPath, ["property"] = "guest-stats-polling-interval", ["value"] = period },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>VmRSS of /proc/PID/status in KiB, or null when the process is gone.</summary>
    internal static ulong? ReadRss(int pid, string proc = "/proc")
    {
        try
        {
            foreach (string line in File.ReadLines(Path.Combine(proc, pid.ToString(CultureInfo.InvariantCulture), "status")))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    string[] parts = line[6..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                    return parts.Length > 0 && ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong kib) ? kib : null;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    private (VmmInstance Vmm, bool Balloon, ulong MaxKib) Running(Guid uuid)
    {
        var entry = _table.Find(uuid);
        lock (_table.Gate)
        {
            DomainStateMachine.Decide(DomainOperation.Memory, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
            var vmm = entry.Vmm ?? throw DomainErrors.OperationFailed("domain is no longer running");
            var definition = entry.Current.Definition;
            bool balloon = definition.Devices.Memballoon is { Model: not MemballoonModel.None };
            return (vmm, balloon, definition.Memory.TotalKiB);
        }
    }

    private static async ValueTask ExecuteAsync(VmmInstance vmm, string command, JsonObject arguments, CancellationToken cancellationToken)
    {
        try
        {
            await vmm.Qmp.ExecuteAsync(command, arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (QmpException e)
        {
            throw DomainErrors.OperationFailed(e.Message, e);
        }
        catch (QmpConnectionException e)
        {
            throw DomainErrors.OperationFailed("domain is no longer running", e);
        }
    }
}
