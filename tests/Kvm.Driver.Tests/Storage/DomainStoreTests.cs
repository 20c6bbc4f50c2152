using System.Diagnostics;
using Kvm.Driver.Storage;
using NUnit.Framework;

namespace Kvm.Driver.Tests.Storage;

public sealed class DomainStoreTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("kvmd-store-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void SaveThenLoadAll_OneDefinition_RoundTrips()
    {
        var store = new DomainStore(_dir);
        store.Save("a", TestDomains.Xml("a"));
        var loaded = store.LoadAll();
        Assert.That(loaded.Select(d => (d.Document.Definition.Name, d.Valid, d.Autostart)), Is.EqualTo(new[] { ("a", true, false) }));
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EqualTo(new[] { "a.xml" }));
    }

    [Test]
    public void LoadAll_DefinitionThatNoLongerValidates_IsKeptAndMarkedInvalid()
    {
        // A name with '/' parses but does not validate: the domain must not vanish.
        File.WriteAllText(Path.Combine(_dir, "bad.xml"), TestDomains.Xml("a/b"));
        var loaded = new DomainStore(_dir).LoadAll();
        Assert.That(loaded.Select(d => (d.Document.Definition.Name, d.Valid)), Is.EqualTo(new[] { ("a/b", false) }));
    }

    [Test]
    public void LoadAll_FileThatIsNotXml_IsSkippedAndLeftInPlace()
    {
        string garbage = Path.Combine(_dir, "garbage.xml");
        File.WriteAllText(garbage, "this is not <xml");
        new DomainStore(_dir).Save("good", TestDomains.Xml("good"));
        var loaded = new DomainStore(_dir).LoadAll();
        Assert.That(loaded.Select(d => d.Document.Definition.Name), Is.EqualTo(new[] { "good" }));
        Assert.That(File.ReadAllText(garbage), Is.EqualTo("this is not <xml"));
    }

    [Test]
    public void LoadAll_LeftoverTemporaryFile_IsIgnored()
    {
        File.WriteAllText(Path.Combine(_dir, AtomicFile.TempPrefix + "a.xml.1234"), "<dom");
        Assert.That(new DomainStore(_dir).LoadAll(), Is.Empty);
    }

    [Test]
    public void LoadAll_DefinitionOwnedByAnotherUser_SkippedAndLeftInPlace()
    {
        var store = new DomainStore(_dir);
        store.Save("mine", TestDomains.Xml("mine"));
        string planted = Path.Combine(_dir, "planted.xml");
        File.WriteAllText(planted, TestDomains.Xml("planted"));
        OwnedBy.Chown(planted, OwnedBy.Nobody);
        Assert.That(store.LoadAll().Select(d => d.Document.Definition.Name), Is.EqualTo(new[] { "mine" }));
        Assert.That(File.Exists(planted), Is.True);
    }

    [Test]
    public void Save_IntoGroupWritableDirectory_Refused()
    {
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_111_111);
        var e = Assert.Throws<UnsafeDirectoryException>(() => new DomainStore(_dir).Save("a", TestDomains.Xml("a")));
        Assert.That(e!.Message, Does.Contain("has mode 0777, writable by its group or others"));
        Assert.That(Directory.GetFiles(_dir), Is.Empty);
    }

    [Test]
    public void SetAutostart_True_IsASymlinkToTheDefinitionAsLibvirtKeepsIt()
    {
        var store = new DomainStore(_dir);
        store.Save("a", TestDomains.Xml("a"));
        store.SetAutostart("a", true);
        string marker = Path.Combine(_dir, "autostart", "a.xml");
        Assert.That(new FileInfo(marker).LinkTarget, Is.EqualTo(Path.Combine(_dir, "a.xml")));
        Assert.That(store.LoadAll().Single().Autostart, Is.True);
        store.SetAutostart("a", false);
        Assert.That(File.Exists(marker), Is.False);
    }

    [Test]
    public void Delete_DefinitionWithAutostart_RemovesBoth()
    {
        var store = new DomainStore(_dir);
        store.Save("a", TestDomains.Xml("a"));
        store.SetAutostart("a", true);
        store.Delete("a");
        Assert.That(Directory.GetFiles(_dir, "*", SearchOption.AllDirectories), Is.Empty);
    }

    /// <summary>kill -9 at random moments of a process that keeps redefining: every definition is whole, none goes missing.</summary>
    [Test]
    [CancelAfter(240_000)]
    public void Save_KilledAtRandomMoments_NeverLeavesATruncatedOrMissingDefinition()
    {
        var executable = Executable.Of("Kvm.Driver.StoreStress", "kvm-store-stress");
        var random = new Random(6);
        var seen = new HashSet<string>();
        for (int round = 0; round < 40; round++)
        {
            var info = new ProcessStartInfo(executable.Path) { RedirectStandardOutput = true };
            info.ArgumentList.Add(_dir);
            using var process = Process.Start(info)!;
            Assert.That(process.StandardOutput.ReadLine(), Is.EqualTo("ready"));
            Thread.Sleep(random.Next(1, 60));
            process.Kill(); // SIGKILL
            process.WaitForExit();

            var files = Directory.GetFiles(_dir, "*.xml").Select(Path.GetFileName).ToHashSet();
            Assert.That(files.IsSupersetOf(seen), Is.True, $"a definition went missing in round {round}");
            seen.UnionWith(files!);
            foreach (string file in Directory.GetFiles(_dir, "*.xml"))
            {
                Assert.That(new DomainStore(_dir).TryLoad(file), Is.Not.Null, $"{file} does not parse after a kill in round {round}");
            }
        }

        Assert.That(seen, Has.Count.EqualTo(4), "the writer never got going");
    }
}
