using System.Text;
using Kvm.DomainXml.Errors;

namespace Kvm.DomainXml.Bench;

/// <summary>
/// The qemu-in inputs libvirt accepts (qemu-manifest.tsv: expected = ok or start-error in any variant), loaded into
/// memory; those our engine rejects are left out and counted.
/// </summary>
internal sealed class BenchCorpus
{
    private BenchCorpus(string directory, int acceptedByLibvirt, List<CorpusDocument> documents, List<string> rejected)
    {
        Directory = directory;
        AcceptedByLibvirt = acceptedByLibvirt;
        Documents = documents;
        Rejected = rejected;
    }

    public string Directory { get; }

    public int AcceptedByLibvirt { get; }

    public IReadOnlyList<CorpusDocument> Documents { get; }

    /// <summary>"name: message" for each input our engine rejects.</summary>
    public IReadOnlyList<string> Rejected { get; }

    /// <summary>The default corpus: ../shared/corpus/libvirt-domain-xml beside the directory holding Kvm.sln.</summary>
    public static string? DefaultDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kvm.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "corpus", "libvirt-domain-xml"));
            }
        }

        return null;
    }

    /// <summary>Loads the corpus; null with a message when the directory is not a corpus.</summary>
    public static BenchCorpus? TryLoad(string directory, out string? error)
    {
        string manifest = Path.Combine(directory, "qemu-manifest.tsv");
        string inputs = Path.Combine(directory, "qemu-in");
        if (!File.Exists(manifest) || !System.IO.Directory.Exists(inputs))
        {
            error = $"Corpus not found at {directory}: it needs qemu-manifest.tsv and qemu-in/ " +
                    "(libvirt's domain XML corpus; pass --corpus DIR)";
            return null;
        }

        var accepted = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(manifest).Skip(1))
        {
            string[] columns = line.Split('\t');
            if (columns.Length > 2 && columns[2] is "ok" or "start-error")
            {
                accepted.Add(columns[0]);
            }
        }

        var documents = new List<CorpusDocument>(accepted.Count);
        var rejected = new List<string>();
        foreach (string name in accepted)
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(inputs, name + ".xml"));
            string text = Encoding.UTF8.GetString(bytes);
            try
            {
                var document = DomainXmlParser.Parse(text, name, DomainParseFlags.Inactive);
                DomainXmlFormatter.Format(document, DomainFormatFlags.Secure);
                documents.Add(new CorpusDocument(name, text, bytes.Length));
            }
            catch (DomainXmlException e)
            {
                rejected.Add($"{name}: {e.ToUserMessage()}");
            }
        }

        error = null;
        return new BenchCorpus(directory, accepted.Count, documents, rejected);
    }
}
