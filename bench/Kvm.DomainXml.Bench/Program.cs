using System.Runtime;
using System.Runtime.InteropServices;
using Kvm.DomainXml;
using Kvm.DomainXml.Bench;

// Throughput of the domain XML engine over libvirt's qemu corpus, one thread: parse (+ post-parse + validate) and
// format, as virsh define + dumpxml --security-info. Compare with bench/libvirt-reference.py.
var options = BenchOptions.Parse(args, out int exitCode);
if (options is null)
{
    return exitCode;
}

string? directory = options.CorpusDirectory ?? BenchCorpus.DefaultDirectory();
if (directory is null)
{
    Console.Error.WriteLine($"domainxml-bench: Kvm.sln not found above {AppContext.BaseDirectory}; pass --corpus DIR");
    return 1;
}

var corpus = BenchCorpus.TryLoad(Path.GetFullPath(directory), out string? corpusError);
if (corpus is null)
{
    Console.Error.WriteLine("domainxml-bench: " + corpusError);
    return 1;
}

var documents = corpus.Documents;
if (documents.Count == 0)
{
    Console.Error.WriteLine($"domainxml-bench: no usable input in {corpus.Directory}");
    return 1;
}

var formatFlags = options.FormatInactive ? DomainFormatFlags.Secure | DomainFormatFlags.Inactive : DomainFormatFlags.Secure;
var parsed = documents.Select(d => DomainXmlParser.Parse(d.Text, d.Name, DomainParseFlags.Inactive)).ToArray();
long corpusBytes = documents.Sum(d => (long)d.Utf8Bytes);

#if DEBUG
Console.WriteLine("WARNING: Debug build; measure a Release build (-c Release)");
#endif
Console.WriteLine($"runtime:   {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, " +
                  $"{Environment.ProcessorCount} processors, {(GCSettings.IsServerGC ? "server" : "workstation")} GC");
Console.WriteLine($"load avg:  {LoadAverage()} (1, 5, 15 min; other processes skew the figures)");
Console.WriteLine($"corpus:    {corpus.Directory}");
Console.WriteLine($"inputs:    {corpus.AcceptedByLibvirt} qemu-in inputs libvirt accepts; {documents.Count} used " +
                  $"({corpusBytes / 1024.0:F1} KiB, mean {corpusBytes / documents.Count} bytes), " +
                  $"{corpus.Rejected.Count} skipped because our engine rejects them");
foreach (string rejected in corpus.Rejected)
{
    Console.WriteLine("  skipped " + rejected);
}

Console.WriteLine($"output:    mean {parsed.Sum(d => (long)DomainXmlFormatter.Format(d, formatFlags).Length) / parsed.Length} " +
                  "characters per formatted document");
Console.WriteLine($"flags:     parse {DomainParseFlags.Inactive}, format {formatFlags}; one thread, " +
                  $"{options.Seconds:0.###} s per workload");

var full = new Workload("parse+format", documents, i =>
    DomainXmlFormatter.Format(DomainXmlParser.Parse(documents[i].Text, documents[i].Name, DomainParseFlags.Inactive),
        formatFlags).Length);
var parseOnly = new Workload("parse", documents, i =>
    DomainXmlParser.Parse(documents[i].Text, documents[i].Name, DomainParseFlags.Inactive).Definition.Name.Length);
var formatOnly = new Workload("format", documents, i => DomainXmlFormatter.Format(parsed[i], formatFlags).Length);

// Warm-up: tier-0 code, then tiered PGO's tier-1 code for everything the three workloads run (the jit column
// counts methods compiled during a measurement; it should be near 0).
full.WarmUp(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20));
parseOnly.WarmUp(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(5));
formatOnly.WarmUp(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(5));

var duration = TimeSpan.FromSeconds(options.Seconds);
Console.WriteLine();
Console.WriteLine(Measurement.Header);
foreach (var workload in new[] { full, parseOnly, formatOnly })
{
    Console.WriteLine(workload.Measure(duration));
}

Console.WriteLine();
Console.WriteLine($"load avg:  {LoadAverage()} after the run");
Console.WriteLine("parse = parse + post-parse + validate (DomainXmlParser.Parse); format = DomainXmlFormatter.Format of a " +
                  "parsed document; KiB alloc/doc = GC.GetAllocatedBytesForCurrentThread delta / documents; " +
                  "gen0 counts include gen1/gen2 collections; cpu % = process processor time / wall time (below ~100 means " +
                  "other processes took the processor); jit = methods compiled during the measurement");
return 0;

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
