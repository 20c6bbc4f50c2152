using System.CommandLine;
using System.Globalization;
using System.Xml.Linq;
using Tmds.DBus.Protocol;

namespace Kvm.Kvmctl;

/// <summary>
/// domblklist, domblkstat and domblkinfo, printed as virsh 9.0 prints them (tools/virsh-domain-monitor.c). libvirt-dbus
/// has no virDomainBlockStatsFlags or virDomainGetBlockInfo, so the counters and sizes come from the block group of
/// GetStats (virDomainListGetStats), which carries the same figures.
/// </summary>
internal static class BlockCommands
{
    private const uint StatsBlock = 32; // VIR_DOMAIN_STATS_BLOCK
    private const uint XmlInactive = 2;

    public static IEnumerable<Command> Create()
    {
        yield return DomBlkList();
        yield return DomBlkStat();
        yield return DomBlkInfo();
    }

    private static Argument<string> DomainArgument() => new("DOMAIN") { Description = "Domain name, id or UUID" };

    private static Command DomBlkList()
    {
        Argument<string> domain = DomainArgument();
        var inactive = new Option<bool>("--inactive") { Description = "The disks of the next start's definition" };
        var details = new Option<bool>("--details") { Description = "Also the type and device of each disk" };
        return VerbRunner.Verb("domblklist", "List a domain's disks", async (parse, context) =>
        {
            string path = await context.FindDomainAsync(parse.GetValue(domain)!).ConfigureAwait(false);
            string xml = await context.Client.GetXmlDescAsync(path, parse.GetValue(inactive) ? XmlInactive : 0, context.CancellationToken).ConfigureAwait(false);
            bool wide = parse.GetValue(details);
            var table = wide ? new VirshTable("Type", "Device", "Target", "Source") : new VirshTable("Target", "Source");
            foreach (var disk in XDocument.Parse(xml).Root?.Element("devices")?.Elements("disk") ?? [])
            {
                string target = disk.Element("target")?.Attribute("dev")?.Value ?? throw new VirshErrorException("unable to query block list");
                var source = disk.Element("source");
                string sourceText = new[] { "file", "dev", "dir", "name", "volume", "path" }
                    .Select(a => source?.Attribute(a)?.Value).FirstOrDefault(v => v is not null) ?? "-";
                if (wide)
                {
                    table.AddRow(disk.Attribute("type")?.Value ?? "", disk.Attribute("device")?.Value ?? "disk", target, sourceText);
                }
                else
                {
                    table.AddRow(target, sourceText);
                }
            }

            context.Output.Print(table.Format(header: true));
        }, domain, inactive, details);
    }

    private static Command DomBlkStat()
    {
        Argument<string> domain = DomainArgument();
        var device = new Argument<string?>("DEVICE") { Description = "The disk's target (all disks when left out)", Arity = ArgumentArity.ZeroOrOne };
        var human = new Option<bool>("--human") { Description = "Human readable output" };
        return VerbRunner.Verb("domblkstat", "Print a domain's disk I/O counters", async (parse, context) =>
        {
            string path = await context.FindDomainAsync(parse.GetValue(domain)!).ConfigureAwait(false);
            string name = parse.GetValue(device) ?? "";
            var disks = await RunningDisksAsync(context, path).ConfigureAwait(false);
            var chosen = name.Length == 0 ? disks : disks.Where(d => d.Name == name || d.Path == name).ToList();
            if (chosen.Count == 0)
            {
                throw new VirshErrorException($"invalid argument: invalid path: {name}");
            }

            // virsh's order for the fields QEMU reports (domblkstat_output), each summed over the disks asked for.
            (string Key, string Field, string Human)[] fields =
            [
                ("rd.reqs", "rd_req", "number of read operations:"), ("rd.bytes", "rd_bytes", "number of bytes read:"),
                ("wr.reqs", "wr_req", "number of write operations:"), ("wr.bytes", "wr_bytes", "number of bytes written:"),
                ("fl.reqs", "flush_operations", "number of flush operations:"), ("rd.times", "rd_total_times", "total duration of reads (ns):"),
                ("wr.times", "wr_total_times", "total duration of writes (ns):"), ("fl.times", "flush_total_times", "total duration of flushes (ns):"),
            ];
            bool readable = parse.GetValue(human);
            string shown = name;
            if (readable)
            {
                context.Output.Print($"Device: {name}\n");
                shown = "";
            }

            foreach (var (key, field, label) in fields)
            {
                ulong total = chosen.Aggregate(0UL, (sum, d) => sum + d.Get(key));
                string value = total.ToString(CultureInfo.InvariantCulture);
                context.Output.Print(readable ? $"{shown} {label,-31} {value}\n" : $"{shown} {field} {value}\n");
            }
        }, domain, device, human);
    }

    private static Command DomBlkInfo()
    {
        Argument<string> domain = DomainArgument();
        var device = new Argument<string?>("DEVICE") { Description = "The disk's target or source", Arity = ArgumentArity.ZeroOrOne };
        var human = new Option<bool>("--human") { Description = "Human readable output" };
        var all = new Option<bool>("--all") { Description = "All disks, as a table" };
        return VerbRunner.Verb("domblkinfo", "Print the sizes of a domain's disks", async (parse, context) =>
        {
            string? name = parse.GetValue(device);
            if (parse.GetValue(all) && name is not null)
            {
                throw new VirshErrorException("Options --all and --device are mutually exclusive");
            }

            if (!parse.GetValue(all) && name is null)
            {
                throw new VirshErrorException("command 'domblkinfo' requires <device> option");
            }

            string path = await context.FindDomainAsync(parse.GetValue(domain)!).ConfigureAwait(false);
            var disks = await DisksAsync(context, path).ConfigureAwait(false);
            bool readable = parse.GetValue(human);
            if (name is null)
            {
                var table = new VirshTable("Target", "Capacity", "Allocation", "Physical");
                foreach (var disk in disks)
                {
                    var (capacity, allocation, physical) = Sizes(disk, readable);
                    table.AddRow(disk.Name, capacity, allocation, physical);
                }

                context.Output.Print(table.Format(header: true));
                return;
            }

            var chosen = disks.FirstOrDefault(d => d.Name == name || d.Path == name)
                ?? throw new VirshErrorException($"invalid argument: invalid path {name} not assigned to domain");
            var (cap, alloc, phy) = Sizes(chosen, readable);
            context.Output.Print($"{"Capacity:",-15} {cap}\n{"Allocation:",-15} {alloc}\n{"Physical:",-15} {phy}\n");
        }, domain, device, human, all);
    }

    /// <summary>cmdDomblkinfoGet: "-" for a disk without sizes, bytes, or virsh's pretty capacity with --human.</summary>
    private static (string Capacity, string Allocation, string Physical) Sizes(Disk disk, bool human)
    {
        ulong capacity = disk.Get("capacity"), allocation = disk.Get("allocation"), physical = disk.Get("physical");
        if (capacity == 0 && allocation == 0 && physical == 0)
        {
            return ("-", "-", "-");
        }

        return human ? (Pretty(capacity), Pretty(allocation), Pretty(physical))
            : (capacity.ToString(CultureInfo.InvariantCulture), allocation.ToString(CultureInfo.InvariantCulture), physical.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>vshPrettyCapacity: the largest binary unit under which the value is at least 1, with three decimals.</summary>
    private static string Pretty(ulong bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        int unit = 0;
        double value = bytes;
        while (unit < units.Length - 1 && bytes >= 1UL << (10 * (unit + 1)))
        {
            unit++;
        }

        value = bytes / Math.Pow(1024, unit);
        return string.Create(CultureInfo.InvariantCulture, $"{value:F3} {units[unit]}");
    }

    private sealed record Disk(string Name, string? Path, Dictionary<string, ulong> Values)
    {
        public ulong Get(string key) => Values.TryGetValue(key, out ulong value) ? value : 0;
    }

    /// <summary>The counters of a running domain's disks; virsh's "domain is not running" otherwise.</summary>
    private static async Task<List<Disk>> RunningDisksAsync(VerbContext context, string path)
    {
        var (state, _) = await context.Client.GetStateAsync(path, context.CancellationToken).ConfigureAwait(false);
        if (state is 0 or 5)
        {
            throw new VirshErrorException("Requested operation is not valid: domain is not running");
        }

        return await DisksAsync(context, path).ConfigureAwait(false);
    }

    private static async Task<List<Disk>> DisksAsync(VerbContext context, string path)
    {
        Dictionary<string, VariantValue> stats = await context.Client.GetStatsAsync(path, StatsBlock, context.CancellationToken).ConfigureAwait(false);
        int count = stats.TryGetValue("block.count", out var c) ? Convert.ToInt32(LibvirtClient.ScalarOf(c), CultureInfo.InvariantCulture) : 0;
        var disks = new List<Disk>(count);
        for (int i = 0; i < count; i++)
        {
            string prefix = $"block.{i}.";
            string name = stats.TryGetValue(prefix + "name", out var n) ? (string)LibvirtClient.ScalarOf(n)! : "";
            string? source = stats.TryGetValue(prefix + "path", out var p) ? (string?)LibvirtClient.ScalarOf(p) : null;
            var values = stats.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal) && LibvirtClient.ScalarOf(s.Value) is ulong)
                .ToDictionary(s => s.Key[prefix.Length..], s => (ulong)LibvirtClient.ScalarOf(s.Value)!);
            disks.Add(new Disk(name, source, values));
        }

        return disks;
    }
}
