using System.CommandLine;
using Kvm.Bench;

namespace Kvm.DBus.Bench;

/// <summary>The command line: <c>dbus-bench [--seconds N] [--calls N]</c>.</summary>
internal sealed record BenchOptions(double Seconds, int Calls)
{
    /// <summary>The options the arguments give; null after printing help (status 0) or what is wrong (status 1).</summary>
    public static BenchOptions? Parse(string[] args, out int exitCode)
    {
        var seconds = BenchCommandLine.Seconds("--seconds", 3, "Measurement time of each marshalling workload");
        var calls = BenchCommandLine.Count("--calls", 20_000, "Round trips per kind through the private dbus-daemon");
        var root = new RootCommand("dbus-bench: marshalling throughput, then round trips through a private dbus-daemon")
        {
            seconds, calls,
        };
        return BenchCommandLine.Parse(root, args, parse => new BenchOptions(parse.GetValue(seconds), parse.GetValue(calls)), out exitCode);
    }
}
