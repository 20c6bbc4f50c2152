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

    /// <summary>
    /// Vectored writes and reads move many buffers in order (more than one preadv's IOV_MAX of 1024), with O_DIRECT on
    /// aligned buffers in one go and on unaligned ones through the bounce path; bytes past the end read as zeroes.
    /// </summary>
    [TestCase(false, 0)]
    [TestCase(true, 0)]
    [TestCase(true, 512)]
    public void Vectored_ManyBuffers_WriteAndReadBackInOrder(bool direct, int misalign)
    {
        const int count = 1100;
        const int piece = 4096;
        string path = Path.Combine(_dir, "vectored.img");
        File.WriteAllBytes(path, []);
        byte* source = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(count * piece + 4096, 4096);
        byte* target = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(count * piece + 8192 + 4096, 4096);
        try
        {
            new Random(9).NextBytes(new Span<byte>(source, count * piece + 4096));
            Assert.That(ImageFile.Open(path, writable: true, direct, out var file), Is.EqualTo(0));
            using (file)
            {
                // Written in reverse order of memory, so a buffer taken out of order would show.
                var vectors = new IoVector[count];
                for (int i = 0; i < count; i++)
                {
                    vectors[i] = new IoVector(source + misalign + (count - 1 - i) * piece, piece);
                }

                Assert.That(file!.WriteVectored(4096, vectors), Is.EqualTo(0));

                // Read back with two extra buffers past the end of the file, and the first buffer in two halves.
                var back = new IoVector[count + 3];
                back[0] = new IoVector(target + misalign, piece / 2);
                back[1] = new IoVector(target + misalign + piece / 2, piece / 2);
                for (int i = 1; i < count + 2; i++)
                {
                    back[i + 1] = new IoVector(target + misalign + i * piece, piece);
                }

                new Span<byte>(target, count * piece + 8192 + 4096).Fill(0x77);
                Assert.That(file.ReadVectored(4096, back), Is.EqualTo(0));
            }

            for (int i = 0; i < count; i++)
            {
                var expected = new ReadOnlySpan<byte>(source + misalign + (count - 1 - i) * piece, piece);
                Assert.That(new ReadOnlySpan<byte>(target + misalign + i * piece, piece).SequenceEqual(expected), Is.True, $"buffer {i}");
            }

            Assert.That(new ReadOnlySpan<byte>(target + misalign + count * piece, 2 * piece).ContainsAnyExcept((byte)0), Is.False, "past the end: zeroes");
            Assert.That(new FileInfo(path).Length, Is.EqualTo(4096 + count * piece));
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(source);
            System.Runtime.InteropServices.NativeMemory.AlignedFree(target);
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
