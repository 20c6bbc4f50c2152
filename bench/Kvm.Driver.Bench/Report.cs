using System.Diagnostics;
using System.Globalization;

namespace Kvm.Driver.Bench;

/// <summary>The printed tables, and the restart of kvmd over its 1,000 saved definitions.</summary>
internal static class Report
{
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    public static void PrintLatencies(BenchTarget[] targets, int rounds)
    {
        Console.WriteLine("call            server          calls   p50 us   p90 us   p99 us  mean us   calls/s  server cpu us/call  errors");
        var summaries = new Dictionary<(Workload, string), LatencySummary>();
        foreach (Workload workload in Enum.GetValues<Workload>())
        {
            foreach (BenchTarget target in targets)
            {
                LatencySummary s = target.Results[workload].Summarize();
                summaries[(workload, target.Name)] = s;
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                    "{0,-15} {1,-13} {2,7} {3,8:F1} {4,8:F1} {5,8:F1} {6,8:F1} {7,9:F0} {8,19:F1} {9,7}",
                    Name(workload), target.Name, s.Calls, s.P50, s.P90, s.P99, s.Mean, s.CallsPerSecond, s.ServerCpuPerCall, s.Errors));
            }
        }

        Console.WriteLine();
        Console.WriteLine("ratio kvmd / libvirt-dbus (target: at most 0.50)   p50     p99    mean   p50 per round      p50 above Peer.Ping: kvmd  libvirt-dbus");
        LatencySummary ourFloor = summaries[(Workload.Ping, targets[0].Name)];
        LatencySummary theirFloor = summaries[(Workload.Ping, targets[1].Name)];
        foreach (Workload workload in Enum.GetValues<Workload>())
        {
            LatencySummary ours = summaries[(workload, targets[0].Name)];
            LatencySummary theirs = summaries[(workload, targets[1].Name)];
            IReadOnlyList<double> ourRounds = targets[0].Results[workload].RoundP50s;
            IReadOnlyList<double> theirRounds = targets[1].Results[workload].RoundP50s;
            string perRound = string.Join(" ", Enumerable.Range(0, rounds).Select(r => (ourRounds[r] / theirRounds[r]).ToString("F2", CultureInfo.InvariantCulture)));
            string label = workload == Workload.Ping ? "Peer.Ping (the floor; no target)" : Name(workload);
            string above = workload == Workload.Ping ? "" : string.Format(CultureInfo.InvariantCulture, "{0,26:F1} {1,13:F1}", ours.P50 - ourFloor.P50, theirs.P50 - theirFloor.P50);
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-50} {1,5:F2} {2,7:F2} {3,7:F2}   {4,-17}{5}",
                label, ours.P50 / theirs.P50, ours.P99 / theirs.P99, ours.Mean / theirs.Mean, perRound, above));
        }
    }

    public static void PrintMemory(BenchTarget[] targets, Dictionary<string, (long Empty, long Defined, long After, long Peak)> memory,
        Dictionary<string, TimeSpan> defineTimes, int domains)
    {
        Console.WriteLine($"server        RSS empty MiB  RSS {domains} defined MiB  RSS after calls MiB  peak (VmHWM) MiB  threads  define {domains} s  us/define");
        foreach (BenchTarget target in targets)
        {
            var m = memory[target.Name];
            TimeSpan define = defineTimes[target.Name];
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-13} {1,13:F1} {2,21:F1} {3,20:F1} {4,17:F1} {5,8} {6,13:F2} {7,10:F0}",
                target.Name, m.Empty / 1024.0, m.Defined / 1024.0, m.After / 1024.0, m.Peak / 1024.0, target.Server.Threads,
                define.TotalSeconds, define.TotalMicroseconds / domains));
        }
    }

    /// <summary>Stops kvmd and starts it again on the same state directory: the time to load the saved definitions.</summary>
    public static async Task MeasureKvmdRestartAsync(string kvmdBinary, string directory, BenchTarget kvmd, DomainDefinition[] domains)
    {
        await kvmd.DisposeAsync();
        var stopwatch = Stopwatch.StartNew();
        await using BenchTarget restarted = await BenchTarget.StartAsync(() => ServerProcess.StartKvmd(kvmdBinary, directory), domains);
        TimeSpan owned = stopwatch.Elapsed;
        int listed = await restarted.Client.ListDomainsAsync();
        TimeSpan firstList = stopwatch.Elapsed;
        string xml = await restarted.Client.GetXmlDescStringAsync(restarted.DomainPath(domains.Length - 1));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "kvmd restart over {0} saved definitions: org.libvirt owned after {1:F0} ms, first ListDomains ({2} domains) answered at {3:F0} ms, RSS {4:F1} MiB; GetXMLDesc({5}) {6} chars",
            domains.Length, owned.TotalMilliseconds, listed, firstList.TotalMilliseconds, restarted.Server.ResidentKiB / 1024.0, domains[^1].Name, xml.Length));
    }

    public static string Name(Workload workload) => workload switch
    {
        Workload.Ping => "Peer.Ping",
        Workload.ListDomains => "ListDomains",
        Workload.LookupByName => "LookupByName",
        Workload.GetXmlDesc => "GetXMLDesc",
    };
}
