using System.Buffers.Binary;
using System.Diagnostics;
using Kvm.Vmm.Block;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Block;

/// <summary>
/// Hostile images: seeded mutations of small qemu-img-made images (headers, tables, refcounts, extensions,
/// truncations, backing names) and looping or too deep backing chains. Every case either fails to open with a
/// <see cref="BlockException"/> or opens and answers every request with a status: no other exception, no hang, no
/// unbounded allocation.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class Qcow2FuzzTests
{
    private const int Cases = 10_000;

    private static readonly int[] s_headerFields32 = [4, 16, 20, 32, 36, 56, 60, 96, 100];
    private static readonly int[] s_headerFields64 = [8, 24, 40, 48, 64, 72, 80, 88];

    private string _dir = "";
    private readonly List<byte[]> _templates = [];

    [OneTimeSetUp]
    public void MakeTemplates()
    {
        QemuTools.Require();
        _dir = QemuTools.ScratchDirectory("fuzz");
        File.WriteAllBytes(Path.Combine(_dir, "base.raw"), Enumerable.Range(0, 128 * 1024).Select(i => (byte)i).ToArray());
        Template("v3", "compat=1.1,cluster_size=512", "write -P 0x11 0 20k", "write -P 0x22 100k 3k", "write -z 8k 4k");
        Template("v2", "compat=0.10,cluster_size=512", "write -P 0x33 0 16k", "write -P 0x44 200k 1k");
        Template("rc4", "compat=1.1,cluster_size=1024,refcount_bits=4", "write -P 0x55 0 30k");
        Template("overlay", "compat=1.1,cluster_size=512,backing_file=base.raw,backing_fmt=raw", "write -P 0x66 4k 6k");
        string raw = Path.Combine(_dir, "src.raw");
        File.WriteAllBytes(raw, Enumerable.Range(0, 64 * 1024).Select(i => (byte)(i / 100)).ToArray());
        string compressed = Path.Combine(_dir, "compressed.qcow2");
        QemuTools.ImgOk("convert", "-c", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=512", raw, compressed);
        _templates.Add(File.ReadAllBytes(compressed));
    }

    [OneTimeTearDown]
    public void DeleteTemplates() => QemuTools.DeleteScratch(_dir);

    [Test]
    [CancelAfter(180_000)]
    public void Open_MutatedImages_ThrowBlockExceptionOrAnswerWithStatuses()
    {
        string image = Path.Combine(_dir, "case.qcow2");
        int opened = 0, refused = 0;
        long slowest = 0, peakWorkingSet = 0;
        var failures = new List<string>();
        var total = Stopwatch.StartNew();
        for (int seed = 0; seed < Cases && failures.Count < 5; seed++)
        {
            var random = new Random(seed);
            File.WriteAllBytes(image, Mutate(_templates[random.Next(_templates.Count)], random));
            var watch = Stopwatch.StartNew();
            try
            {
                using var disk = BlockBackends.Open(new BlockOpenOptions
                {
                    Path = image, Format = ImageFormat.Qcow2, ReadOnly = random.Next(4) == 0, DiscardUnmap = random.Next(2) == 0,
                    IgnoreFlush = random.Next(16) != 0, // a real fdatasync per case would make the disk the bottleneck
                });
                opened++;
                Exercise(disk, random);
            }
            catch (BlockException)
            {
                refused++;
            }
            catch (Exception e)
            {
                failures.Add($"seed {seed}: {e}");
            }

            slowest = Math.Max(slowest, watch.ElapsedMilliseconds);
            if (seed % 500 == 0)
            {
                peakWorkingSet = Math.Max(peakWorkingSet, Environment.WorkingSet);
            }
        }

        TestContext.Out.WriteLine($"{Cases} images in {total.Elapsed.TotalSeconds:F1} s: {opened} opened, {refused} refused; slowest {slowest} ms; peak working set {peakWorkingSet >> 20} MiB");
        Assert.That(failures, Is.Empty);
        Assert.That(opened, Is.GreaterThan(Cases / 10), "almost nothing opened: the mutations are too coarse to reach the request paths");
        Assert.That(refused, Is.GreaterThan(Cases / 10), "almost nothing was refused: the mutations miss the header");
        Assert.That(slowest, Is.LessThan(5_000), "one image took too long (a near-hang)");
        Assert.That(peakWorkingSet, Is.LessThan(2L << 30), "memory grew without bound");
    }

    [Test]
    public void Open_BackingChainLoop_ThrowsBlockException()
    {
        string a = Path.Combine(_dir, "loop-a.qcow2"), b = Path.Combine(_dir, "loop-b.qcow2");
        QemuTools.ImgOk("create", "-f", "qcow2", a, "1M");
        QemuTools.ImgOk("create", "-f", "qcow2", "-b", a, "-F", "qcow2", b, "1M");
        QemuTools.ImgOk("rebase", "-u", "-f", "qcow2", "-b", b, "-F", "qcow2", a);
        var e = Assert.Throws<BlockException>(() => BlockBackends.Open(new BlockOpenOptions { Path = a, Format = ImageFormat.Qcow2 }));
        Assert.That(e!.Message, Does.Contain("loops"));
        e = Assert.Throws<BlockException>(() => BlockBackends.Open(new BlockOpenOptions { Path = b, Format = ImageFormat.Qcow2, ReadOnly = true }));
        Assert.That(e!.Message, Does.Contain("loops"));
    }

    [Test]
    public void Open_BackingChainDeeperThanTheCap_ThrowsBlockException()
    {
        string previous = Path.Combine(_dir, "deep0.qcow2");
        QemuTools.ImgOk("create", "-f", "qcow2", previous, "1M");
        for (int i = 1; i <= BlockBackends.MaxChainDepth + 1; i++)
        {
            string next = Path.Combine(_dir, $"deep{i}.qcow2");
            QemuTools.ImgOk("create", "-f", "qcow2", "-u", "-b", previous, "-F", "qcow2", next, "1M");
            previous = next;
        }

        var e = Assert.Throws<BlockException>(() => BlockBackends.Open(new BlockOpenOptions { Path = previous, Format = ImageFormat.Qcow2 }));
        Assert.That(e!.Message, Does.Contain("deeper than 64"));
        string sixtyFour = Path.Combine(_dir, $"deep{BlockBackends.MaxChainDepth}.qcow2");
        using var disk = BlockBackends.Open(new BlockOpenOptions { Path = sixtyFour, Format = ImageFormat.Qcow2, ReadOnly = true });
        Assert.That(disk.Read(0, new byte[512]), Is.EqualTo(BlockStatus.Ok));
    }

    private static void Exercise(IBlockBackend disk, Random random)
    {
        var buffer = new byte[8192];
        ulong sectors = disk.Size / 512;
        for (int op = 0; op < 12; op++)
        {
            int length = 512 * random.Next(1, 17);
            ulong offset = sectors == 0 ? 0 : (ulong)random.NextInt64(0, (long)Math.Min(sectors, long.MaxValue)) * 512;
            if (random.Next(8) == 0)
            {
                offset = disk.Size - (ulong)Math.Min((long)disk.Size, length); // the end, where odd sizes bite
            }

            random.NextBytes(buffer.AsSpan(0, length));
            BlockStatus status = random.Next(7) switch
            {
                0 or 1 => disk.Read(offset, buffer.AsSpan(0, length)),
                2 or 3 => disk.Write(offset, buffer.AsSpan(0, length)),
                4 => disk.WriteZeroes(offset, (ulong)length, random.Next(2) == 0),
                5 => disk.Discard(offset, (ulong)length),
                _ => random.Next(4) == 0 ? disk.Resize(disk.Size + 65536) : disk.Flush(),
            };
            Assert.That(Enum.IsDefined(status), Is.True);
        }
    }

    private byte[] Mutate(byte[] template, Random random)
    {
        byte[] image = (byte[])template.Clone();
        int mutations = random.Next(1, 5);
        for (int m = 0; m < mutations; m++)
        {
            switch (random.Next(8))
            {
                case 0: // a few random bytes anywhere
                    for (int i = random.Next(1, 8); i > 0; i--)
                    {
                        image[random.Next(image.Length)] = (byte)random.Next(256);
                    }

                    break;
                case 1: // a header byte
                    image[random.Next(Math.Min(image.Length, 512))] ^= (byte)(1 << random.Next(8));
                    break;
                case 2:
                    BinaryPrimitives.WriteUInt32BigEndian(image.AsSpan(s_headerFields32[random.Next(s_headerFields32.Length)]), (uint)Interesting(random, image.Length));
                    break;
                case 3:
                    BinaryPrimitives.WriteUInt64BigEndian(image.AsSpan(s_headerFields64[random.Next(s_headerFields64.Length)]), Interesting(random, image.Length));
                    break;
                case 4: // a table entry (L1, L2, refcount table or block): an offset in, past or inside the file, with flags
                    int at = random.Next(512, image.Length - 8) & ~7;
                    ulong value = Interesting(random, image.Length) | ((ulong)(uint)random.Next(16) << 60) | (uint)random.Next(2);
                    BinaryPrimitives.WriteUInt64BigEndian(image.AsSpan(at), value);
                    break;
                case 5: // truncation
                    Array.Resize(ref image, random.Next(0, image.Length));
                    return image;
                case 6: // a header extension at header_length
                    int start = BinaryPrimitives.ReadUInt32BigEndian(image.AsSpan(4)) == 3 ? 104 : 72;
                    uint[] types = [0xe2792aca, 0x6803f857, 0x0537be77, 0x44415441, 0, (uint)random.Next()];
                    BinaryPrimitives.WriteUInt32BigEndian(image.AsSpan(start), types[random.Next(types.Length)]);
                    BinaryPrimitives.WriteUInt32BigEndian(image.AsSpan(start + 4), (uint)Interesting(random, 512));
                    break;
                default: // a backing file name: long, absent, self, odd
                    string[] names = ["case.qcow2", "base.raw", "missing.img", "/dev/zero", ".", "nbd:localhost:1", new string('a', 900)];
                    byte[] name = System.Text.Encoding.UTF8.GetBytes(names[random.Next(names.Length)]);
                    int nameAt = random.Next(2) == 0 ? 300 : random.Next(0, 600);
                    if (nameAt + name.Length <= image.Length)
                    {
                        name.CopyTo(image, nameAt);
                    }

                    BinaryPrimitives.WriteUInt64BigEndian(image.AsSpan(8), (ulong)nameAt);
                    BinaryPrimitives.WriteUInt32BigEndian(image.AsSpan(16), random.Next(4) == 0 ? (uint)Interesting(random, 2048) : (uint)name.Length);
                    break;
            }
        }

        return image;
    }

    private static ulong Interesting(Random random, int fileLength) => random.Next(12) switch
    {
        0 => 0,
        1 => 1,
        2 => ulong.MaxValue,
        3 => uint.MaxValue,
        4 => (ulong)fileLength,
        5 => (ulong)(fileLength & ~511) - 512,
        6 => (ulong)fileLength + 512,
        7 => 1UL << random.Next(64),
        8 => (ulong)random.Next(0, fileLength + 4096) & ~511UL,
        9 => (ulong)random.Next(0, 64),
        10 => 0x8000_0000_0000_0000 | ((ulong)random.Next(0, fileLength) & ~511UL),
        _ => (ulong)random.NextInt64(),
    };

    private void Template(string name, string options, params string[] writes)
    {
        string path = Path.Combine(_dir, name + ".qcow2");
        QemuTools.ImgOk("create", "-f", "qcow2", "-o", options, path, "256k");
        QemuTools.IoOk("qcow2", path, writes);
        _templates.Add(File.ReadAllBytes(path));
    }
}
