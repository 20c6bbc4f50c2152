using NUnit.Framework;

namespace Kvm.DomainXml.Tests;

/// <summary>
/// Finds libvirt's domain XML corpus in ../shared/corpus beside the clone (CI always has it). In a clone without
/// it, corpus tests stop with a plain message instead of failing obscurely.
/// </summary>
public static class Corpus
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string? Directory { get; } = Find();

    public static string Require()
    {
        if (Directory is null)
        {
            Assert.Ignore("libvirt's domain XML corpus is not here: these tests read ../shared/corpus/libvirt-domain-xml " +
                          "beside the clone (CI provides it; set KVM_CORPUS_DIR to point elsewhere)");
        }

        return Directory!;
    }

    public static string Path(string relative) => System.IO.Path.Combine(Require(), relative);

    /// <summary>Rows of a tab-separated manifest, without its header.</summary>
    public static IEnumerable<string[]> Manifest(string name)
    {
        if (Directory is null)
        {
            yield break;
        }

        foreach (string line in File.ReadLines(System.IO.Path.Combine(Directory, name)).Skip(1))
        {
            if (line.Length > 0)
            {
                yield return line.Split('\t');
            }
        }
    }

    private static string? Find()
    {
        string? configured = Environment.GetEnvironmentVariable("KVM_CORPUS_DIR");
        if (configured is not null && System.IO.Directory.Exists(configured))
        {
            return configured;
        }

        string candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(RepositoryRoot, "..", "shared", "corpus", "libvirt-domain-xml"));
        return System.IO.Directory.Exists(candidate) ? candidate : null;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Kvm.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Kvm.sln not found above " + AppContext.BaseDirectory);
    }
}
