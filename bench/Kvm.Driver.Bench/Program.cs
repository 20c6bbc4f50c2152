using System.Diagnostics;
using System.Runtime.InteropServices;
using Kvm.Driver.Bench;

// kvmd-bench: with N defined domains, the latency of ListDomains, DomainLookupByName and GetXMLDesc from one
// client (a Tmds.DBus.Protocol connection) against kvmd and against Debian's libvirt-dbus serving libvirt's test driver
// holding the same definitions, each server on its own private dbus-daemon, rounds alternating, in one run.
var options = BenchOptions.Parse(args, out int exitCode);
if (options is null)
{
    return exitCode;
}

#if DEBUG
Console.WriteLine("WARNING: Debug build; measure a Release build (-c Release)");
#endif
Console.WriteLine($"runtime:   {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} processors");
Console.WriteLine($"load avg:  {Report.LoadAverage()}");
Console.WriteLine($"kvmd:      {options.Kvmd}");
Console.WriteLine($"reference: {options.LibvirtDbus} (libvirt's test driver, test:///default, at /org/libvirt/Test)");
Console.WriteLine($"template:  {options.Template}");
Console.WriteLine($"workload:  {options.Domains} definitions; per round and server {options.ListCalls} ListDomains(0), "
    + $"{options.LookupCalls} DomainLookupByName, {options.PingCalls} Peer.Ping, {options.XmlCalls} GetXMLDesc(0), one call in flight; {options.Rounds} rounds, alternating");

DomainDefinition[] domains = DomainTemplate.Generate(File.ReadAllText(options.Template), options.Domains);
string directory = Directory.CreateTempSubdirectory("kvmd-bench-").FullName;
try
{
    await using BenchTarget kvmd = await BenchTarget.StartAsync(
        () => ServerProcess.StartKvmd(options.Kvmd, Path.Combine(directory, "kvmd")), domains);
    await using BenchTarget libvirt = await BenchTarget.StartAsync(
        () => ServerProcess.StartLibvirtDbus(options.LibvirtDbus, Path.Combine(directory, "libvirt-dbus")), domains);
    BenchTarget[] targets = [kvmd, libvirt];
    var memory = new Dictionary<string, (long Empty, long Defined, long After, long Peak)>();
    var defineTimes = new Dictionary<string, TimeSpan>();

    // The test driver starts with its own running domain "test": remove it so that both hold exactly the same N.
    string testPath = await libvirt.Client.LookupPathAsync("test");
    await libvirt.Client.RemoveAsync(testPath);

    Console.WriteLine();
    foreach (BenchTarget target in targets)
    {
        long empty = target.Server.ResidentKiB;
        TimeSpan define = await target.DefineAllAsync();
        defineTimes[target.Name] = define;
        int listed = await target.Client.ListDomainsAsync();
        string xml = await target.Client.GetXmlDescStringAsync(target.DomainPath(0));
        memory[target.Name] = (empty, target.Server.ResidentKiB, 0, 0);
        Console.WriteLine($"{target.Name,-13} up in {target.Startup.TotalMilliseconds:F0} ms; defined {domains.Length} in {define.TotalMilliseconds:F0} ms "
            + $"({define.TotalMicroseconds / domains.Length:F0} us each); ListDomains returns {listed}; GetXMLDesc of {domains[0].Name}: {xml.Length} chars");
        if (listed != domains.Length)
        {
            Console.WriteLine($"  WARNING: {target.Name} lists {listed} domains, expected {domains.Length}");
        }
    }

    int[] listOrder = new int[options.ListCalls];
    Console.WriteLine();
    Console.Write("warm-up ...");
    foreach (BenchTarget target in targets)
    {
        await target.RunAsync(Workload.Ping, new int[3000], domains.Length);
        await target.RunAsync(Workload.ListDomains, listOrder[..Math.Min(listOrder.Length, 300)], domains.Length);
        await target.RunAsync(Workload.LookupByName, RandomOrder(3000, domains.Length, seed: -1), domains.Length);
        await target.RunAsync(Workload.GetXmlDesc, RandomOrder(3000, domains.Length, seed: -2), domains.Length);
    }
    Console.WriteLine(" done");

    for (int round = 0; round < options.Rounds; round++)
    {
        foreach (Workload workload in Enum.GetValues<Workload>())
        {
            int[] order = workload switch
            {
                Workload.Ping => RandomOrder(options.PingCalls, domains.Length, seed: -3),
                Workload.ListDomains => listOrder,
                Workload.LookupByName => RandomOrder(options.LookupCalls, domains.Length, seed: 2 * round),
                Workload.GetXmlDesc => RandomOrder(options.XmlCalls, domains.Length, seed: 2 * round + 1),
            };
            // Alternate which server goes first, so that neither always follows the other's burst.
            foreach (BenchTarget target in round % 2 == 0 ? targets : targets.Reverse())
            {
                TimeSpan cpuBefore = target.Server.ProcessorTime;
                var stopwatch = Stopwatch.StartNew();
                (long[] ticks, int errors) = await target.RunAsync(workload, order, domains.Length);
                stopwatch.Stop();
                target.Results[workload].AddRound(ticks, errors, stopwatch.Elapsed, target.Server.ProcessorTime - cpuBefore);
            }
        }
        Console.WriteLine($"round {round + 1}/{options.Rounds} done, load avg {Report.LoadAverage()}");
    }

    foreach (BenchTarget target in targets)
    {
        var m = memory[target.Name];
        memory[target.Name] = m with { After = target.Server.ResidentKiB, Peak = target.Server.PeakResidentKiB };
    }

    Console.WriteLine();
    Report.PrintLatencies(targets, options.Rounds);
    Console.WriteLine();
    Report.PrintMemory(targets, memory, defineTimes, domains.Length);

    if (options.Python)
    {
        Console.WriteLine();
        PythonClient.Run(targets, domains, options.PythonCalls);
    }

    Console.WriteLine();
    await Report.MeasureKvmdRestartAsync(options.Kvmd, Path.Combine(directory, "kvmd"), kvmd, domains);
}
finally
{
    if (options.Keep)
    {
        Console.WriteLine($"kept {directory}");
    }
    else
    {
        Directory.Delete(directory, recursive: true);
    }
}
Console.WriteLine($"load avg after: {Report.LoadAverage()}");
return 0;

static int[] RandomOrder(int count, int domainCount, int seed)
{
    var random = new Random(seed + 1000);
    return Enumerable.Range(0, count).Select(_ => random.Next(domainCount)).ToArray();
}
