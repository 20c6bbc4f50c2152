using System.Diagnostics;
using System.Globalization;

namespace Kvm.Driver.Bench;

/// <summary>
/// Cross-check: the same three calls from python3-dbus (libdbus), one process per server, fewer calls. Its own
/// overhead (tens of microseconds per call, equal for both servers) narrows the ratio.
/// </summary>
internal static class PythonClient
{
    private const string Script = """
        import random, sys, time, dbus
        address, connect_path, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
        names = sys.stdin.read().split()
        bus = dbus.bus.BusConnection(address)
        conn = dbus.Interface(bus.get_object('org.libvirt', connect_path, introspect=False), 'org.libvirt.Connect')
        paths = [conn.DomainLookupByName(n) for n in names]
        doms = [dbus.Interface(bus.get_object('org.libvirt', p, introspect=False), 'org.libvirt.Domain') for p in paths]
        rng = random.Random(7)
        def measure(label, n, call):
            for _ in range(min(n, 300)):
                call()
            lat = []
            for _ in range(n):
                t = time.perf_counter()
                call()
                lat.append(time.perf_counter() - t)
            lat.sort()
            print('%s %d %.1f %.1f %.1f' % (label, n, lat[n // 2] * 1e6, lat[int(n * 0.99)] * 1e6, sum(lat) / n * 1e6))
        measure('ListDomains', max(calls // 5, 100), lambda: conn.ListDomains(dbus.UInt32(0)))
        measure('LookupByName', calls, lambda: conn.DomainLookupByName(names[rng.randrange(len(names))]))
        measure('GetXMLDesc', calls, lambda: doms[rng.randrange(len(doms))].GetXMLDesc(dbus.UInt32(0)))
        """;

    public static void Run(BenchTarget[] targets, DomainDefinition[] domains, int calls)
    {
        if (!File.Exists("/usr/bin/python3"))
        {
            Console.WriteLine("python3-dbus cross-check skipped: /usr/bin/python3 missing (apt-get install python3-dbus)");
            return;
        }
        Console.WriteLine($"python3-dbus client (cross-check; {calls} lookups and GetXMLDesc, {Math.Max(calls / 5, 100)} ListDomains per server)");
        Console.WriteLine("call            server          calls   p50 us   p99 us  mean us");
        var p50s = new Dictionary<(string, string), double>();
        foreach (BenchTarget target in targets)
        {
            var start = new ProcessStartInfo("/usr/bin/python3")
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                ArgumentList = { "-c", Script, target.Server.Bus.Address, target.Server.ConnectPath, calls.ToString(CultureInfo.InvariantCulture) },
            };
            using Process python = Process.Start(start)!;
            python.StandardInput.Write(string.Join('\n', domains.Select(d => d.Name)));
            python.StandardInput.Close();
            Task<string> error = python.StandardError.ReadToEndAsync();
            string output = python.StandardOutput.ReadToEnd();
            python.WaitForExit();
            if (python.ExitCode != 0)
            {
                Console.WriteLine($"  {target.Name}: python3-dbus client failed: {error.Result.Trim()}");
                continue;
            }
            foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] f = line.Split(' ');
                p50s[(f[0], target.Name)] = double.Parse(f[2], CultureInfo.InvariantCulture);
                Console.WriteLine($"{f[0],-15} {target.Name,-13} {f[1],7} {f[2],8} {f[3],8} {f[4],8}");
            }
        }
        foreach (string call in new[] { "ListDomains", "LookupByName", "GetXMLDesc" })
        {
            if (p50s.TryGetValue((call, targets[0].Name), out double ours) && p50s.TryGetValue((call, targets[1].Name), out double theirs))
            {
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  ratio p50 {0}: {1:F2}", call, ours / theirs));
            }
        }
    }
}
