using System.Globalization;

namespace Kvm.Qmp.Bench;

/// <summary>The command line: <c>qmp-bench [--requests N] [--rounds N] [--qemu PATH] [--vmm PATH]</c>, or <c>--serve PATH</c> (child mode).</summary>
internal sealed record BenchOptions(int Requests, int Rounds, string QemuBinary, string? ServePath, string? VmmBinary)
{
    public const string Usage = "usage: qmp-bench [--requests N] [--rounds N] [--qemu PATH] [--vmm PATH]\n" +
        "  --requests N  query-status round trips per round and server, default 20000\n" +
        "  --rounds N    alternating rounds (ours, QEMU, ours, ...), default 3\n" +
        "  --qemu PATH   QEMU binary, default /usr/bin/qemu-system-x86_64\n" +
        "  --vmm PATH    measure kvm-vmm --machine none (default: this program in --serve mode, the same library)";

    public static BenchOptions? TryParse(string[] args, out string? error)
    {
        int requests = 20_000;
        int rounds = 3;
        string qemu = "/usr/bin/qemu-system-x86_64";
        string? serve = null;
        string? vmm = null;
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--requests" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out requests) && requests > 0:
                    i++;
                    break;
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out rounds) && rounds > 0:
                    i++;
                    break;
                case "--qemu" when i + 1 < args.Length:
                    qemu = args[++i];
                    break;
                case "--vmm" when i + 1 < args.Length:
                    vmm = args[++i];
                    break;
                case "--serve" when i + 1 < args.Length:
                    serve = args[++i];
                    break;
                default:
                    error = args[i] is "-h" or "--help" ? string.Empty : $"unexpected argument '{args[i]}'";
                    return null;
            }
        }

        return new BenchOptions(requests, rounds, qemu, serve, vmm);
    }
}
