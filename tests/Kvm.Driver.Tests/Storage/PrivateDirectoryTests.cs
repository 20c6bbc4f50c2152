using Kvm.Driver.Storage;

namespace Kvm.Driver.Tests.Storage;

public sealed class PrivateDirectoryTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("kvmd-private-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Ensure_Missing_CreatedMode0700WithItsParents()
    {
        // Missing parents are created as mkdir -p does (umask); the directory itself is kvmd's own.
        string path = Path.Combine(_root, "a", "state");
        PrivateDirectory.Ensure(path, "state");
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(PrivateDirectory.Mode));
    }

    [TestCase(0b111_111_111, "0777")]
    [TestCase(0b111_111_000, "0770")]
    [TestCase(0b111_101_111, "0757")]
    [TestCase(0b111_111_101 | 0b1_000_000_000, "1775")]
    public void Ensure_ExistingWritableByOthers_RefusedWithModeAndFix(int mode, string shown)
    {
        string path = Path.Combine(_root, "run");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)mode);
        var e = Assert.Throws<UnsafeDirectoryException>(() => PrivateDirectory.Ensure(path, "runtime"));
        Assert.That(e!.Message, Is.EqualTo(
            $"The runtime directory {path} has mode {shown}, writable by its group or others: make it 0700 (chmod 0700 '{path}') after checking its files"));
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo((UnixFileMode)mode), "refused, not changed");
    }

    [Test]
    public void Ensure_ExistingReadableBySome_Accepted()
    {
        string path = Path.Combine(_root, "state");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        Assert.That(() => PrivateDirectory.Ensure(path, "state"), Throws.Nothing);
    }

    [Test]
    public void Ensure_OwnedByAnotherUser_Refused()
    {
        string path = Path.Combine(_root, "state");
        Directory.CreateDirectory(path, PrivateDirectory.Mode);
        OwnedBy.Chown(path, OwnedBy.Nobody);
        Assert.That(() => PrivateDirectory.Ensure(path, "state"), Throws.TypeOf<UnsafeDirectoryException>()
            .With.Message.StartsWith($"The state directory {path} is owned by uid 65534, not by kvmd's user (uid 0)"));
    }

    [Test]
    public void Ensure_AFile_Refused()
    {
        string path = Path.Combine(_root, "file");
        File.WriteAllText(path, "");
        Assert.That(() => PrivateDirectory.Ensure(path, "state"), Throws.InstanceOf<IOException>());
    }
}
