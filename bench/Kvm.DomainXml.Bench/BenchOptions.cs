using System.CommandLine;
using Kvm.Bench;

namespace Kvm.DomainXml.Bench;

/// <summary>The command line: <c>domainxml-bench [--corpus DIR] [--seconds N] [--inactive]</c>.</summary>
internal sealed record BenchOptions(string? CorpusDirectory, double Seconds, bool FormatInactive)
{
    /// <summary>The options the arguments give; null after printing help (status 0) or what is wrong (status 1).</summary>
    public static BenchOptions? Parse(string[] args, out int exitCode)
    {
        var corpus = new Option<DirectoryInfo?>("--corpus")
        {
            Description = "libvirt's domain XML corpus (qemu-manifest.tsv, qemu-in/); default ../shared/corpus/libvirt-domain-xml beside the repository root",
        };
        var seconds = BenchCommandLine.Seconds("--seconds", 10, "Measurement time of each workload");
        var inactive = new Option<bool>("--inactive")
        {
            Description = "Format with DomainFormatFlags.Inactive too (as virsh dumpxml --inactive); parsing always uses DomainParseFlags.Inactive (as virsh define)",
        };
        var root = new RootCommand("domainxml-bench: parse and format throughput over libvirt's qemu corpus, one thread")
        {
            corpus, seconds, inactive,
        };
        return BenchCommandLine.Parse(
            root,
            args,
            parse => new BenchOptions(parse.GetValue(corpus)?.FullName, parse.GetValue(seconds), parse.GetValue(inactive)),
            out exitCode);
    }
}
