using Kvm.DBus.Bench;

// dbus-bench [--seconds N] [--calls N]: marshalling throughput, then round trips through a private dbus-daemon.
var options = BenchOptions.Parse(args, out int exitCode);
if (options is null)
{
    return exitCode;
}

Console.WriteLine($"dbus-bench: {Environment.ProcessorCount} cpus, load avg {File.ReadAllText("/proc/loadavg").Trim()}");
MarshalBench.Run(options.Seconds);
Console.WriteLine();
await RoundTripBench.RunAsync(options.Calls);
Console.WriteLine($"load avg after: {File.ReadAllText("/proc/loadavg").Trim()}");
return 0;
