namespace Kvm.Qmp.Tests.Support;

/// <summary>Locates shared/corpus/qmp (recorded QEMU 7.2 transcripts) next to the repository.</summary>
internal static class Corpus
{
    public static string Directory
    {
        get
        {
            string? fromEnv = Environment.GetEnvironmentVariable("QMP_CORPUS");
            if (fromEnv is not null && System.IO.Directory.Exists(fromEnv))
            {
                return fromEnv;
            }

            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "corpus", "qmp");
                if (System.IO.Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            Assert.Ignore("QMP corpus (shared/corpus/qmp) not found; set QMP_CORPUS");
            return string.Empty;
        }
    }

    public static string Transcript(string name) => Path.Combine(Directory, "transcripts", name);
}
