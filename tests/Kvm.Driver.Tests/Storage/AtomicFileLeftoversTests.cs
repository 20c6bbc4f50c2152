using Kvm.Driver.Storage;

namespace Kvm.Driver.Tests.Storage;

public sealed class AtomicFileLeftoversTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("kvmd-leftovers-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Remove_InterruptedWritesHereAndInSubdirectories_RemovedTargetsKept()
    {
        Directory.CreateDirectory(Path.Combine(_root, "networks", "autostart"));
        File.WriteAllText(Path.Combine(_root, "a.xml"), "old");
        File.WriteAllText(Path.Combine(_root, AtomicFile.TempPrefix + "a.xml.1a2b3c4d"), "new, half written");   // older naming
        File.WriteAllText(Path.Combine(_root, AtomicFile.TempPrefix + "0123456789abcdef0123456789abcdef"), "x");
        File.WriteAllText(Path.Combine(_root, "networks", AtomicFile.TempPrefix + "deadbeef"), "x");

        Assert.That(AtomicFileLeftovers.Remove(_root), Is.EqualTo(3));
        Assert.That(Directory.GetFiles(_root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_root, f)),
            Is.EqualTo(new[] { "a.xml" }));
        Assert.That(File.ReadAllText(Path.Combine(_root, "a.xml")), Is.EqualTo("old"));
    }

    [Test]
    public void Remove_ThroughASymlinkedDirectory_NothingOutsideTouched()
    {
        string outside = Directory.CreateTempSubdirectory("kvmd-outside-").FullName;
        try
        {
            string victim = Path.Combine(outside, AtomicFile.TempPrefix + "victim");
            File.WriteAllText(victim, "keep");
            Directory.CreateSymbolicLink(Path.Combine(_root, "link"), outside);
            Assert.That(AtomicFileLeftovers.Remove(_root), Is.Zero);
            Assert.That(File.Exists(victim), Is.True);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Test]
    public void Remove_TemporaryFileOfAnotherUser_Kept()
    {
        string planted = Path.Combine(_root, AtomicFile.TempPrefix + "planted");
        File.WriteAllText(planted, "x");
        OwnedBy.Chown(planted, OwnedBy.Nobody);
        Assert.That(AtomicFileLeftovers.Remove(_root), Is.Zero);
        Assert.That(File.Exists(planted), Is.True);
    }

    [Test]
    public void Prepare_StateWithLeftoversAndNoRuntime_LeftoversGoneRuntimeCreated0700()
    {
        File.WriteAllText(Path.Combine(_root, "a.xml"), "a");
        for (int i = 0; i < 100; i++)
        {
            File.WriteAllText(Path.Combine(_root, AtomicFile.TempPrefix + Guid.NewGuid().ToString("N")), "partial");
        }

        string runtime = Path.Combine(_root, "run");
        DaemonDirectories.Prepare(_root, runtime);
        Assert.That(Directory.GetFiles(_root).Select(Path.GetFileName), Is.EqualTo(new[] { "a.xml" }));
        Assert.That(File.GetUnixFileMode(runtime), Is.EqualTo(PrivateDirectory.Mode));
    }
}
