using System.Runtime.CompilerServices;
using Kvm.Vmm.Block;
using Kvm.Vmm.Interop;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Block;

[TestFixture]
public sealed unsafe class ImageFileTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = QemuTools.ScratchDirectory("file");

    [TearDown]
    public void TearDown() => QemuTools.DeleteScratch(_dir);

    [Test]
    public void FileLockRequest_Layout_MatchesStructFlock()
    {
        var request = default(FileLockRequest);
        Assert.That(Unsafe.SizeOf<FileLockRequest>(), Is.EqualTo(32));
        Assert.That((int)Unsafe.ByteOffset(ref Unsafe.As<FileLockRequest, byte>(ref request), ref Unsafe.As<long, byte>(ref request.Start)), Is.EqualTo(8));
        Assert.That((int)Unsafe.ByteOffset(ref Unsafe.As<FileLockRequest, byte>(ref request), ref Unsafe.As<int, byte>(ref request.Pid)), Is.EqualTo(24));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Read_PastTheEndOfTheFile_GivesZeroes(bool direct)
    {
        string path = Path.Combine(_dir, "short.img");
        File.WriteAllBytes(path, Enumerable.Repeat((byte)0xee, 6000).ToArray());
        Assert.That(ImageFile.Open(path, writable: false, direct, out var file), Is.EqualTo(0));
        using (file)
        {
            var data = Enumerable.Repeat((byte)1, 12288).ToArray();
            Assert.That(file!.Read(0, data), Is.EqualTo(0));
            Assert.That(data.Take(6000).All(b => b == 0xee) && data.Skip(6000).All(b => b == 0), Is.True);
            Assert.That(file.Read(1 << 20, data.AsSpan(0, 512)), Is.EqualTo(0));
            Assert.That(data.Take(512).All(b => b == 0), Is.True);
        }
    }

    [Test]
    public void Write_DirectUnalignedPiecesFromManyThreads_NoneIsLost()
    {
        string path = Path.Combine(_dir, "patch.img");
        File.WriteAllBytes(path, new byte[64 * 1024]);
        Assert.That(ImageFile.Open(path, writable: true, direct: true, out var file), Is.EqualTo(0));
        using (file)
        {
            // Sixteen threads each write their own 512-byte sectors, eight of which share every 4 KiB block.
            Parallel.For(0, 16, t =>
            {
                var sector = Enumerable.Repeat((byte)(t + 1), 512).ToArray();
                for (int i = t; i < 128; i += 16)
                {
                    Assert.That(file!.Write((ulong)i * 512, sector), Is.EqualTo(0));
                }
            });
        }

        byte[] content = File.ReadAllBytes(path);
        for (int i = 0; i < 128; i++)
        {
            Assert.That(content.AsSpan(i * 512, 512).ToArray().All(b => b == (byte)(i % 16 + 1)), Is.True, $"sector {i}");
        }
    }
}
