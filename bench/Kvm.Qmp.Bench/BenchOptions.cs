using System.CommandLine;
using Kvm.Bench;

namespace Kvm.Qmp.Bench;

/// <summary>The command line: <c>qmp-bench [--requests N] [--rounds N] [--qemu PATH] [--vmm PATH]</c>, or <c>--serve PATH</c> (child mode).</summary>
internal sealed record BenchOptions(int Requests, int Rounds, string QemuBinary, string? ServePath, string? VmmBinary)
{
    /// <summary>The options the arguments give; null after printing help (status 0) or what is wrong (status 1).</summary>
    public static BenchOptions? Parse(string[] args, out int exitCode)
    {
        var requests = BenchCommandLine.Count("--requests", 20_000, "query-status round trips per round and server");
        var rounds = BenchCommandLine.Count("--rounds", 3, "Alternating rounds (ours, QEMU, ours, ...)");
        var qemu = new Option<string>("--qemu") { Description = "QEMU binary", DefaultValueFactory = _ => "/usr/bin/qemu-system-x86_64" };
        var vmm = new Option<string?>("--vmm")
        {
            Description = "Measure kvm-vmm --machine none (default: this program in --serve mode, the same library)",
        };
        var serve = new Option<string?>("--serve") { Description = "Child mode: serve QMP on this socket path", Hidden = true };
        var root = new RootCommand("qmp-bench: query-status round trips against our QMP server and QEMU's, in the same run")
        {
            requests, rounds, qemu, vmm, serve,
        };
        return BenchCommandLine.Parse(
            root,
            args,
            parse => new BenchOptions(parse.GetValue(requests), parse.GetValue(rounds), parse.GetValue(qemu)!, parse.GetValue(serve), parse.GetValue(vmm)),
            out exitCode);
    }
}
