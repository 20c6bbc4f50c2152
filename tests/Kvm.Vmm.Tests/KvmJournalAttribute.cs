using NUnit.Framework;
using NUnit.Framework.Interfaces;

[assembly: Kvm.Vmm.Tests.KvmJournal]

namespace Kvm.Vmm.Tests;

/// <summary>
/// Lets a run of the Kvm category that the nested-KVM guest cut short go on where it stopped. When KVM_TEST_JOURNAL_DIR
/// names a directory, each test that passed or failed is appended to ASSEMBLY.journal there ("passed FULLNAME" or
/// "failed FULLNAME"), and a test already in that journal is not run again: it reports itself ignored with what it
/// was. .ci/run sets it and counts the journal, so a guest whose emulated SVM wedges after twenty tests costs a fresh
/// guest and the remaining tests, not the whole category again. Without the variable nothing changes.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class KvmJournalAttribute : Attribute, ITestAction
{
    private static readonly Lazy<string?> JournalPath = new(OpenJournal);
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Earlier = new(ReadEarlier);

    public ActionTargets Targets => ActionTargets.Test;

    public void BeforeTest(ITest test)
    {
        if (JournalPath.Value is not null && Earlier.Value.TryGetValue(test.FullName, out string? outcome))
        {
            Assert.Ignore($"{outcome} in an earlier nested-KVM guest of this run (KVM_TEST_JOURNAL_DIR)");
        }
    }

    public void AfterTest(ITest test)
    {
        string? path = JournalPath.Value;
        if (path is null || test.IsSuite)
        {
            return;
        }

        string? outcome = TestContext.CurrentContext.Result.Outcome.Status switch
        {
            TestStatus.Passed => "passed",
            TestStatus.Failed => "failed",
            _ => null,
        };
        if (outcome is null)
        {
            return;
        }

        try
        {
            File.AppendAllText(path, $"{outcome} {test.FullName}\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TestContext.Progress.WriteLine($"cannot append to the Kvm test journal {path}: {e.Message}");
        }
    }

    private static string? OpenJournal()
    {
        string? dir = Environment.GetEnvironmentVariable("KVM_TEST_JOURNAL_DIR");
        if (string.IsNullOrEmpty(dir))
        {
            return null;
        }

        Directory.CreateDirectory(dir);
        string name = typeof(KvmJournalAttribute).Assembly.GetName().Name ?? "tests";
        return Path.Combine(dir, name + ".journal");
    }

    private static IReadOnlyDictionary<string, string> ReadEarlier()
    {
        var earlier = new Dictionary<string, string>(StringComparer.Ordinal);
        string? path = JournalPath.Value;
        if (path is null || !File.Exists(path))
        {
            return earlier;
        }

        foreach (string line in File.ReadLines(path))
        {
            int space = line.IndexOf(' ');
            if (space > 0)
            {
                // A test that failed once and passed later (or the reverse) keeps its last outcome.
                earlier[line[(space + 1)..]] = line[..space];
            }
        }

        return earlier;
    }
}
