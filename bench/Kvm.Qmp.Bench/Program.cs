using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Kvm.Qmp.Bench;
using Kvm.Qmp.Server;

// Round-trip latency (p50, p99) and commands per second of query-status over a Unix socket: our monitor
// (the library's server with the machine-none machine, in a child process) against QEMU's own
// (-machine none), measured by the same blocking client in the same run, rounds alternating.
var options = BenchOptions.Parse(args, out int exitCode);
if (options is null)
{
    return exitCode;
}

if (options.ServePath is not null)
{
    var events = new QmpEventHub();
    var machine = new QmpNoneMachine(events);
    await using var server = new QmpServer(machine, events);
    server.AddMonitor($"unix:{options.ServePath},server");
    await Task.WhenAny(machine.QuitRequested, Task.Run(() => Console.In.ReadToEnd()));
    return 0;
}

if (!File.Exists(options.QemuBinary))
{
    Console.Error.WriteLine($"qmp-bench: {options.QemuBinary} not found (Debian package qemu-system-x86)");
    return 1;
}

#if DEBUG
Console.WriteLine("WARNING: Debug build; measure a Release build (-c Release)");
#endif
Console.WriteLine($"runtime:  {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} processors");
Console.WriteLine($"load avg: {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a")}");
Console.WriteLine($"ours:     {(options.VmmBinary is null ? "qmp-bench --serve (QmpServer + QmpNoneMachine)" : options.VmmBinary + " --machine none")}");
Console.WriteLine($"workload: sequential query-status round trips, {options.Requests} per round, {options.Rounds} rounds per server (alternating), plus pipelined (16 in flight)");

string directory = Path.Combine(Path.GetTempPath(), "qmp-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
Directory.CreateDirectory(directory);
var samples = new Dictionary<string, List<long>> { ["kvm-qmp"] = [], ["qemu-7.2"] = [] };
var pipelined = new Dictionary<string, List<double>> { ["kvm-qmp"] = [], ["qemu-7.2"] = [] };
var serverCpu = new Dictionary<string, double> { ["kvm-qmp"] = 0, ["qemu-7.2"] = 0 };
try
{
    for (int round = 0; round < options.Rounds; round++)
    {
        foreach (bool ours in new[] { true, false })
        {
            string socket = Path.Combine(directory, ours ? "ours.sock" : "qemu.sock");
            using ServerProcess server = ours ? ServerProcess.StartOurs(socket, options.VmmBinary) : ServerProcess.StartQemu(options.QemuBinary, socket);
            using var client = new RoundTripClient(socket);
            client.Measure(new long[Math.Min(5000, options.Requests)]); // warm-up (JIT, caches)
            long[] latencies = new long[options.Requests];
            TimeSpan cpuBefore = server.ProcessorTime;
            client.Measure(latencies);
            serverCpu[server.Name] += (server.ProcessorTime - cpuBefore).TotalSeconds * 1e6 / options.Requests / options.Rounds;
            samples[server.Name].AddRange(latencies);
            pipelined[server.Name].Add(options.Requests / client.MeasurePipelined(options.Requests, 16));
        }
    }
}
finally
{
    Directory.Delete(directory, recursive: true);
}

Console.WriteLine();
Console.WriteLine("server       p50 us   p90 us   p99 us  mean us   seq cmd/s  pipelined cmd/s  server cpu us/cmd");
foreach ((string name, List<long> ticks) in samples)
{
    long[] sorted = ticks.Order().ToArray();
    double Us(double q) => sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))] * 1e6 / Stopwatch.Frequency;
    double mean = sorted.Average() * 1e6 / Stopwatch.Frequency;
    Console.WriteLine(string.Format(
        CultureInfo.InvariantCulture,
        "{0,-10} {1,8:F1} {2,8:F1} {3,8:F1} {4,8:F1} {5,11:F0} {6,16:F0} {7,18:F1}",
        name, Us(0.50), Us(0.90), Us(0.99), mean, 1e6 / mean, pipelined[name].Average(), serverCpu[name]));
}

return 0;
