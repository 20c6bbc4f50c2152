using Kvm.Driver.Runtime;
using NUnit.Framework;

namespace Kvm.Driver.Tests.Runtime;

public sealed class RuntimeDirectoryTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Path.Combine(Directory.CreateTempSubdirectory("kvmd-run-").FullName, "kvmd");

    [TearDown]
    public void TearDown() => Directory.Delete(Path.GetDirectoryName(_dir)!, recursive: true);

    [Test]
    public void WriteStatusThenReadAll_RoundTripsAndDirectoryIsPrivate()
    {
        var runtime = new RuntimeDirectory(_dir);
        var status = new RuntimeStatus("a", Guid.NewGuid(), 3, 1234, 5678, runtime.QmpPathOf("a"), "/dev/pts/7", "<domain type='kvm' id='3'/>");
        runtime.WriteStatus(status);
        Assert.That(runtime.ReadAll(), Is.EqualTo(new[] { status }));
        Assert.That(File.GetUnixFileMode(_dir), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        Assert.That(File.GetUnixFileMode(runtime.StatusPathOf("a")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void QmpPathOf_ShortAndLongNames_NameDotQmpOrAStableHashWithinSunPath()
    {
        var runtime = new RuntimeDirectory(_dir);
        Assert.That(runtime.QmpPathOf("a"), Is.EqualTo(Path.Combine(runtime.Directory, "a.qmp")));
        string longName = new string('x', 150);
        string path = runtime.QmpPathOf(longName);
        Assert.That(Path.GetFileName(path), Does.Match("^h-[0-9a-f]{16}\\.monitor$"));
        Assert.That(System.Text.Encoding.UTF8.GetByteCount(path), Is.LessThanOrEqualTo(RuntimeDirectory.MaxSocketPathBytes));
        Assert.That(runtime.QmpPathOf(longName), Is.EqualTo(path), "the same name gives the same path after a restart");
        Assert.That(runtime.QmpPathOf(longName + "y"), Is.Not.EqualTo(path));
    }

    [Test]
    public void ReadAll_CorruptStatus_SkippedAndLeftInPlace()
    {
        var runtime = new RuntimeDirectory(_dir);
        runtime.EnsureDirectory();
        File.WriteAllText(runtime.StatusPathOf("bad"), "{not json");
        Assert.That(runtime.ReadAll(), Is.Empty);
        Assert.That(File.Exists(runtime.StatusPathOf("bad")), Is.True);
    }

    [Test]
    public void Clean_AfterAStop_RemovesStatusXmlAndSocketButKeepsTheLog()
    {
        var runtime = new RuntimeDirectory(_dir);
        runtime.EnsureDirectory();
        foreach (string path in new[] { runtime.StatusPathOf("a"), runtime.XmlPathOf("a"), runtime.QmpPathOf("a"), runtime.LogPathOf("a") })
        {
            File.WriteAllText(path, "x");
        }

        runtime.Clean("a");
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EqualTo(new[] { "a.log" }));
    }
}
