using System.Globalization;

namespace Kvm.DomainXml.Bench;

/// <summary>The command line: <c>domainxml-bench [--corpus DIR] [--seconds N] [--inactive]</c>.</summary>
internal sealed record BenchOptions(string? CorpusDirectory, double Seconds, bool FormatInactive)
{
    public const string Usage = "usage: domainxml-bench [--corpus DIR] [--seconds N] [--inactive]\n" +
        "  --corpus DIR  libvirt's domain XML corpus (qemu-manifest.tsv, qemu-in/);\n" +
        "                default ../shared/corpus/libvirt-domain-xml beside the repository root\n" +
        "  --seconds N   measurement time of each workload, default 10\n" +
        "  --inactive    format with DomainFormatFlags.Inactive too (as virsh dumpxml --inactive);\n" +
        "                parsing always uses DomainParseFlags.Inactive (as virsh define)";

    /// <summary>Reads the arguments; null with a message when they are wrong.</summary>
    public static BenchOptions? TryParse(string[] args, out string? error)
    {
        string? corpus = null;
        double seconds = 10;
        bool inactive = false;
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--corpus" when i + 1 < args.Length:
                    corpus = args[++i];
                    break;
                case "--seconds" when i + 1 < args.Length:
                    if (!double.TryParse(args[++i], NumberStyles.Float, CultureInfo.InvariantCulture, out seconds)
                        || !(seconds > 0) || double.IsInfinity(seconds))
                    {
                        error = $"--seconds wants a positive number, not '{args[i]}'";
                        return null;
                    }

                    break;
                case "--inactive":
                    inactive = true;
                    break;
                case "-h" or "--help":
                    error = string.Empty;
                    return null;
                default:
                    error = $"unknown or incomplete argument '{args[i]}'";
                    return null;
            }
        }

        return new BenchOptions(corpus, seconds, inactive);
    }
}
