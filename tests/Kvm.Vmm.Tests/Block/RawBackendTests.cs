using System.Runtime.InteropServices;
using Kvm.Vmm.Block;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Block;

[TestFixture]
public sealed class RawBackendTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = QemuTools.ScratchDirectory("raw");

    [TearDown]
    public void TearDown() => QemuTools.DeleteScratch(_dir);

    [TestCase(false)]
    [TestCase(true)]
    public void Write_UnalignedBuffersAndOffsets_ReadBackTheSame(bool direct)
    {
        string path = NewFile(4 << 20);
        var expected = new byte[4 << 20];
        var random = new Random(direct ? 1 : 2);
        using (var disk = Open(path, direct: direct))
        {
            // SAFETY of the test: a native block lets the buffer start at any address, like a span over guest memory.
            var block = new byte[(1 << 20) + 4096];
            for (int i = 0; i < 300; i++)
            {
                int sectors = random.Next(1, i % 10 == 0 ? 2049 : 17);
                int offset = random.Next(0, expected.Length / 512 - sectors + 1) * 512;
                int shift = random.Next(0, 4096);
                var data = block.AsSpan(shift, sectors * 512);
                random.NextBytes(data);
                Assert.That(disk.Write((ulong)offset, data), Is.EqualTo(BlockStatus.Ok));
                data.CopyTo(expected.AsSpan(offset));
                var back = block.AsSpan(4096 - shift % 512, sectors * 512);
                Assert.That(disk.Read((ulong)offset, back), Is.EqualTo(BlockStatus.Ok));
                Assert.That(back.SequenceEqual(expected.AsSpan(offset, sectors * 512)), Is.True, $"request {i}");
            }

            Assert.That(disk.Flush(), Is.EqualTo(BlockStatus.Ok));
        }

        Assert.That(File.ReadAllBytes(path).AsSpan().SequenceEqual(expected), Is.True);
    }

    [Test]
    public void Read_DirectOnAFileWhoseEndIsNotBlockAligned_ReadsTheTail()
    {
        string path = Path.Combine(_dir, "odd.raw");
        var content = new byte[8192 + 1536];
        new Random(3).NextBytes(content);
        File.WriteAllBytes(path, content);
        using var disk = Open(path, direct: true);
        Assert.That(disk.Size, Is.EqualTo((ulong)content.Length));
        var tail = new byte[1536 + 512];
        Assert.That(disk.Read(8192 - 512, tail), Is.EqualTo(BlockStatus.Ok));
        Assert.That(tail.AsSpan().SequenceEqual(content.AsSpan(8192 - 512)), Is.True);
    }

    [Test]
    public void Open_DirectOnTmpfs_WorksOrThrowsAClearBlockException()
    {
        if (!Directory.Exists("/dev/shm"))
        {
            Assert.Ignore("no /dev/shm");
        }

        string path = Path.Combine("/dev/shm", $"kvm-raw-{Guid.NewGuid():N}.raw");
        File.WriteAllBytes(path, new byte[4096]);
        try
        {
            IBlockBackend? disk = null;
            try
            {
                disk = Open(path, direct: true);
            }
            catch (BlockException e)
            {
                Assert.That(e.Message, Does.Contain("O_DIRECT").And.Contain(path));
                return;
            }

            // tmpfs takes O_DIRECT since Linux 6.6: then the open must simply work.
            using (disk)
            {
                Assert.That(disk.Read(0, new byte[512]), Is.EqualTo(BlockStatus.Ok));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public void WriteZeroesAndDiscard_OverData_ReadAsZeroes(bool mayUnmap)
    {
        string path = NewFile(1 << 20);
        var expected = new byte[1 << 20];
        new Random(4).NextBytes(expected);
        using var disk = Open(path, discardUnmap: true);
        Assert.That(disk.Write(0, expected), Is.EqualTo(BlockStatus.Ok));
        Assert.That(disk.WriteZeroes(4096 + 512, 8192, mayUnmap), Is.EqualTo(BlockStatus.Ok));
        expected.AsSpan(4096 + 512, 8192).Clear();
        Assert.That(disk.Discard(65536, 65536), Is.EqualTo(BlockStatus.Ok));
        expected.AsSpan(65536, 65536).Clear();
        var actual = new byte[expected.Length];
        Assert.That(disk.Read(0, actual), Is.EqualTo(BlockStatus.Ok));
        Assert.That(actual.AsSpan().SequenceEqual(expected), Is.True);
    }

    [Test]
    public void Discard_WithoutUnmap_KeepsTheData()
    {
        string path = NewFile(65536);
        File.WriteAllBytes(path, Enumerable.Repeat((byte)7, 65536).ToArray());
        using var disk = Open(path);
        Assert.That(disk.SupportsDiscard, Is.False);
        Assert.That(disk.Discard(0, 65536), Is.EqualTo(BlockStatus.Ok));
        var data = new byte[512];
        Assert.That(disk.Read(0, data), Is.EqualTo(BlockStatus.Ok));
        Assert.That(data.All(b => b == 7), Is.True);
    }

    [Test]
    public void Resize_Grow_ChangesTheFileAndSize()
    {
        string path = NewFile(65536);
        using var disk = Open(path);
        Assert.That(disk.Resize(1 << 20), Is.EqualTo(BlockStatus.Ok));
        Assert.That(disk.Size, Is.EqualTo(1UL << 20));
        Assert.That(new FileInfo(path).Length, Is.EqualTo(1 << 20));
        Assert.That(disk.Write((1 << 20) - 512, new byte[512]), Is.EqualTo(BlockStatus.Ok));
        Assert.That(disk.Resize(1000), Is.EqualTo(BlockStatus.OutOfRange));
    }

    [Test]
    public void Request_OutOfRangeOrReadOnly_ReturnsAStatus()
    {
        string path = NewFile(65536);
        using var disk = Open(path, readOnly: true);
        Assert.That(disk.ReadOnly, Is.True);
        Assert.That(disk.Read(65536 - 512, new byte[1024]), Is.EqualTo(BlockStatus.OutOfRange));
        Assert.That(disk.Read(ulong.MaxValue - 511, new byte[512]), Is.EqualTo(BlockStatus.OutOfRange));
        Assert.That(disk.Write(0, new byte[512]), Is.EqualTo(BlockStatus.Unsupported));
        Assert.That(disk.Discard(0, 512), Is.EqualTo(BlockStatus.Unsupported));
        Assert.That(disk.Resize(1 << 20), Is.EqualTo(BlockStatus.Unsupported));
    }

    [Test]
    public void Open_MissingFile_ThrowsBlockExceptionNamingIt()
    {
        string path = Path.Combine(_dir, "missing.raw");
        var e = Assert.Throws<BlockException>(() => Open(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("No such file"));
    }

    private string NewFile(int size)
    {
        string path = Path.Combine(_dir, $"disk{Guid.NewGuid():N}.raw");
        File.WriteAllBytes(path, new byte[size]);
        return path;
    }

    private static IBlockBackend Open(string path, bool direct = false, bool readOnly = false, bool discardUnmap = false) =>
        BlockBackends.Open(new BlockOpenOptions { Path = path, Format = ImageFormat.Raw, Direct = direct, ReadOnly = readOnly, DiscardUnmap = discardUnmap });
}
