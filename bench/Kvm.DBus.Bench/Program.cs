using System.Globalization;
using Kvm.DBus.Bench;

// dbus-bench [--seconds N] [--calls N]: marshalling throughput, then round trips through a private dbus-daemon.
double seconds = 3;
int calls = 20000;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--calls": calls = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"Unknown option {args[i]}"); return 2;
    }
}
Console.WriteLine($"dbus-bench: {Environment.ProcessorCount} cpus, load avg {File.ReadAllText("/proc/loadavg").Trim()}");
MarshalBench.Run(seconds);
Console.WriteLine();
await RoundTripBench.RunAsync(calls);
Console.WriteLine($"load avg after: {File.ReadAllText("/proc/loadavg").Trim()}");
return 0;
