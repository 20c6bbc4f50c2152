using NUnit.Framework;
using Kvm.Vmm.Block;

namespace Kvm.Vmm.Tests.Block;

/// <summary>Our qcow2 implementation against the real qemu-img and qemu-io: each reads what the other wrote.</summary>
[TestFixture]
[NonParallelizable]
public sealed class Qcow2ImageTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        QemuTools.Require();
        _dir = QemuTools.ScratchDirectory("qcow2");
    }

    [TearDown]
    public void TearDown() => QemuTools.DeleteScratch(_dir);

    [TestCase("1.1", 65536)]
    [TestCase("0.10", 65536)]
    [TestCase("1.1", 512)]
    [TestCase("1.1", 4096)]
    [TestCase("0.10", 2097152)]
    public void Read_DataWrittenByQemuIo_ReadsBackTheSame(string compat, int clusterSize)
    {
        string image = Create("a.qcow2", "8M", $"compat={compat},cluster_size={clusterSize}");
        QemuTools.IoOk("qcow2", image, "write -P 0xab 0 1M", "write -P 0xcd 1536k 4k", "write -P 0x5a 7M 512");
        var expected = new byte[8 << 20];
        expected.AsSpan(0, 1 << 20).Fill(0xab);
        expected.AsSpan(1536 * 1024, 4096).Fill(0xcd);
        expected.AsSpan(7 << 20, 512).Fill(0x5a);

        using var disk = Open(image, readOnly: true);
        var actual = new byte[expected.Length];
        Assert.That(disk.Read(0, actual), Is.EqualTo(BlockStatus.Ok));
        Assert.That(disk.Size, Is.EqualTo((ulong)expected.Length));
        Assert.That(actual.AsSpan().SequenceEqual(expected), Is.True);
    }

    [TestCase("1.1", 65536, 16)]
    [TestCase("0.10", 65536, 16)]
    [TestCase("1.1", 512, 16)]
    [TestCase("1.1", 1024, 1)]
    [TestCase("1.1", 4096, 8)]
    [TestCase("1.1", 8192, 64)]
    [TestCase("1.1", 2097152, 16)]
    public void Write_RandomRequests_QemuImgReadsTheSameAndCheckIsClean(string compat, int clusterSize, int refcountBits)
    {
        string image = Create("w.qcow2", "16M", $"compat={compat},cluster_size={clusterSize}" + (compat == "1.1" ? $",refcount_bits={refcountBits}" : ""));
        var expected = new byte[16 << 20];
        using (var disk = Open(image))
        {
            WriteRandom(disk, expected, new Random(clusterSize + refcountBits), requests: 300, maxSectors: 300);
            Assert.That(disk.Flush(), Is.EqualTo(BlockStatus.Ok));
            AssertReads(disk, expected);
        }

        AssertQemuSees(image, expected);
    }

    [TestCase(512)]
    [TestCase(65536)]
    public void Write_DirectCacheMode_QemuImgReadsTheSameAndCheckIsClean(int clusterSize)
    {
        // O_DIRECT: metadata entries and (with 512-byte clusters) data go through the aligned bounce buffer.
        string image = Create("direct.qcow2", "8M", $"cluster_size={clusterSize}");
        var expected = new byte[8 << 20];
        using (var disk = BlockBackends.Open(new BlockOpenOptions { Path = image, Format = ImageFormat.Qcow2, Direct = true }))
        {
            WriteRandom(disk, expected, new Random(clusterSize), requests: 200, maxSectors: 200);
            Assert.That(disk.WriteZeroes(1 << 20, 1 << 20, mayUnmap: false), Is.EqualTo(BlockStatus.Ok));
            expected.AsSpan(1 << 20, 1 << 20).Clear();
            Assert.That(disk.Flush(), Is.EqualTo(BlockStatus.Ok));
            AssertReads(disk, expected);
        }

        AssertQemuSees(image, expected);
    }

    [Test]
    public void Write_ManySmallClusters_GrowsTheRefcountTableAndStaysClean()
    {
        // 512-byte clusters: one refcount table cluster covers 8 MiB of file, so 12 MiB of data moves the table.
        string image = Create("grow.qcow2", "24M", "cluster_size=512");
        var expected = new byte[24 << 20];
        using (var disk = Open(image))
        {
            new Random(3).NextBytes(expected.AsSpan(0, 12 << 20));
            Assert.That(disk.Write(0, expected.AsSpan(0, 12 << 20)), Is.EqualTo(BlockStatus.Ok));
        }

        AssertQemuSees(image, expected);
    }

    /// <summary>
    /// The refcount table grows while the refcount block covering the start of the new clusters already exists (a
    /// many-cluster L1 table, moved by a resize, that runs past what the table covers): that block must keep the
    /// counts of the clusters before the run. It once was replaced by a new block counting only the run, which left
    /// every earlier cluster of that block referenced with refcount 0 (found by the kill test).
    /// </summary>
    [Test]
    public void Resize_L1RunCrossingTheRefcountTableEnd_KeepsTheCountsOfTheExistingBlock()
    {
        // 512-byte clusters, 16-bit refcounts: a table cluster of 64 entries covers 64 blocks of 256 clusters, 8 MiB.
        string image = Create("straddle.qcow2", "24M", "cluster_size=512");
        var expected = new byte[48 << 20];
        var random = new Random(11);
        using (var disk = Open(image))
        {
            // Fill the file to 8 clusters short of 8 MiB: big writes first, then one sector (a cluster or two) at a time.
            ulong offset = 0;
            while (new FileInfo(image).Length < (8 << 20) - (8 << 9))
            {
                bool near = new FileInfo(image).Length >= (8 << 20) - (64 << 10);
                var data = expected.AsSpan((int)offset, near ? 512 : 16 << 10);
                random.NextBytes(data);
                Assert.That(disk.Write(offset, data), Is.EqualTo(BlockStatus.Ok), $"write at {offset}");
                offset += (ulong)data.Length;
            }

            long before = new FileInfo(image).Length;
            Assert.That(before, Is.LessThan(8 << 20).And.GreaterThan((8 << 20) - (24 << 9)), "the L1 run should cross 8 MiB");

            // 48 MiB needs 1536 L1 entries: a 24-cluster L1 table that starts below 8 MiB and ends above it.
            Assert.That(disk.Resize(48 << 20), Is.EqualTo(BlockStatus.Ok));
            var tail = expected.AsSpan(40 << 20, 64 << 10);
            random.NextBytes(tail);
            Assert.That(disk.Write(40 << 20, tail), Is.EqualTo(BlockStatus.Ok));
        }

        AssertQemuSees(image, expected);
    }

    [Test]
    public void Read_CompressedImage_MatchesTheSourceAndCopiesOnWrite()
    {
        string raw = Path.Combine(_dir, "src.raw");
        var expected = new byte[4 << 20];
        for (int i = 0; i < expected.Length; i++)
        {
            expected[i] = (byte)(i / 4096 % 7 == 0 ? 0 : (i * 31 / 512) ^ (i >> 13));
        }

        File.WriteAllBytes(raw, expected);
        string image = Path.Combine(_dir, "c.qcow2");
        QemuTools.ImgOk("convert", "-c", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=4096", raw, image);
        Assert.That(new FileInfo(image).Length, Is.LessThan(expected.Length / 2), "qemu-img did not compress");
        using (var disk = Open(image))
        {
            AssertReads(disk, expected);
            var patch = new byte[1024];
            patch.AsSpan().Fill(0x77);
            Assert.That(disk.Write(8192 + 512, patch), Is.EqualTo(BlockStatus.Ok));
            patch.CopyTo(expected, 8192 + 512);
            AssertReads(disk, expected);
        }

        AssertQemuSees(image, expected);
    }

    /// <summary>
    /// Vectored requests (a request's guest segments, cut at random 512-byte boundaries) over a qcow2 image on a raw
    /// backing file, with zeroed ranges and clusters allocated by earlier writes: what they write qemu-img reads, and
    /// what they read is what was written, across cluster runs that are and are not contiguous in the file.
    /// </summary>
    [TestCase(512)]
    [TestCase(4096)]
    [TestCase(65536)]
    public unsafe void Vectored_RandomRequests_ReadBackAndQemuSeesTheSame(int clusterSize)
    {
        const int size = 4 << 20;
        string image = Create("v.qcow2", "4M", $"cluster_size={clusterSize}");
        string raw = Path.Combine(_dir, "base.raw");
        var expected = new byte[size];
        new Random(clusterSize).NextBytes(expected);
        File.WriteAllBytes(raw, expected);
        QemuTools.ImgOk("rebase", "-u", "-F", "raw", "-b", raw, image);
        QemuTools.IoOk("qcow2", image, "write -z 64k 128k");
        expected.AsSpan(64 << 10, 128 << 10).Clear();

        var random = new Random(clusterSize + 1);
        byte* memory = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(1 << 20, 4096);
        try
        {
            using var disk = Open(image);
            for (int i = 0; i < 300; i++)
            {
                int sectors = random.Next(1, 257);
                int offset = random.Next(0, size / 512 - sectors + 1) * 512;
                var vectors = RandomVectors(random, memory, sectors);
                if (random.Next(3) > 0)
                {
                    random.NextBytes(new Span<byte>(memory, sectors * 512));
                    Assert.That(disk.WriteVectored((ulong)offset, vectors), Is.EqualTo(BlockStatus.Ok), $"write {i} at {offset}");
                    new ReadOnlySpan<byte>(memory, sectors * 512).CopyTo(expected.AsSpan(offset));
                }
                else
                {
                    new Span<byte>(memory, sectors * 512).Fill(0xee);
                    Assert.That(disk.ReadVectored((ulong)offset, vectors), Is.EqualTo(BlockStatus.Ok), $"read {i} at {offset}");
                    Assert.That(new ReadOnlySpan<byte>(memory, sectors * 512).SequenceEqual(expected.AsSpan(offset, sectors * 512)), Is.True, $"read {i} at {offset}");
                }
            }
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(memory);
        }

        AssertQemuSees(image, expected);
    }

    /// <summary>
    /// Whole-cluster writes into a fresh O_DIRECT image from four threads at once (as a queue's server threads make
    /// them): each 1 MiB request is counted and stored as one run of clusters (qemu-img map shows at most one extent
    /// per request), and qemu-img check and compare agree with what was written.
    /// </summary>
    [Test]
    public unsafe void WriteVectored_ConcurrentFreshRuns_EachIsOneRunAndQemuAgrees()
    {
        const int size = 16 << 20;
        const int request = 1 << 20;
        string image = Create("runs.qcow2", "16M", "cluster_size=65536");
        var expected = new byte[size];
        new Random(31).NextBytes(expected);
        byte* memory = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(size, 4096);
        try
        {
            expected.CopyTo(new Span<byte>(memory, size));
            using (var disk = BlockBackends.Open(new BlockOpenOptions { Path = image, Format = ImageFormat.Qcow2, Direct = true }))
            {
                var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
                var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
                {
                    for (int chunk = t; chunk < size / request; chunk += 4)
                    {
                        // 4 KiB guest pages, as a request's segments.
                        var vectors = Enumerable.Range(0, request / 4096)
                            .Select(p => new Kvm.Vmm.Interop.IoVector(memory + (chunk * request) + (p * 4096), 4096)).ToArray();
                        var status = disk.WriteVectored((ulong)(chunk * request), vectors);
                        if (status != BlockStatus.Ok)
                        {
                            failures.Add($"chunk {chunk}: {status}");
                        }
                    }
                })).ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());
                Assert.That(failures, Is.Empty);
            }
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(memory);
        }

        AssertQemuSees(image, expected);
        string map = QemuTools.ImgOk("map", "--output=json", "-f", "qcow2", image);
        int extents = System.Text.RegularExpressions.Regex.Matches(map, "\"data\": true").Count;
        Assert.That(extents, Is.InRange(1, size / request), map);
    }

    /// <summary>Cuts [memory, memory + sectors * 512) into segments of random whole-sector lengths, in order.</summary>
    private static unsafe Kvm.Vmm.Interop.IoVector[] RandomVectors(Random random, byte* memory, int sectors)
    {
        var vectors = new List<Kvm.Vmm.Interop.IoVector>();
        int at = 0;
        while (at < sectors)
        {
            int take = Math.Min(sectors - at, random.Next(1, 17));
            vectors.Add(new Kvm.Vmm.Interop.IoVector(memory + at * 512, (nuint)(take * 512)));
            at += take;
        }

        return [.. vectors];
    }

    [Test]
    public void Read_ZeroClustersWrittenByQemuIo_ReadAsZeroes()
    {
        string image = Create("z.qcow2", "4M", "cluster_size=65536");
        string raw = Path.Combine(_dir, "base.raw");
        File.WriteAllBytes(raw, Enumerable.Repeat((byte)0x99, 4 << 20).ToArray());
        QemuTools.ImgOk("rebase", "-u", "-F", "raw", "-b", raw, image);
        QemuTools.IoOk("qcow2", image, "write -P 0x11 0 512k", "write -z 64k 128k", "write -z 1M 64k");
        var expected = Enumerable.Repeat((byte)0x99, 4 << 20).ToArray();
        expected.AsSpan(0, 512 * 1024).Fill(0x11);
        expected.AsSpan(64 * 1024, 128 * 1024).Clear();
        expected.AsSpan(1 << 20, 64 * 1024).Clear();
        using var disk = Open(image, readOnly: true);
        AssertReads(disk, expected);
    }

    [TestCase("1.1", true)]
    [TestCase("1.1", false)]
    [TestCase("0.10", true)]
    [TestCase("0.10", false)]
    public void WriteZeroesAndDiscard_OverData_ReadAsZeroesForUsAndQemu(string compat, bool mayUnmap)
    {
        string image = Create("d.qcow2", "4M", $"compat={compat},cluster_size=4096");
        var expected = new byte[4 << 20];
        new Random(9).NextBytes(expected);
        using (var disk = Open(image, discardUnmap: true))
        {
            Assert.That(disk.SupportsDiscard, Is.True);
            Assert.That(disk.Write(0, expected), Is.EqualTo(BlockStatus.Ok));
            Assert.That(disk.WriteZeroes(4096 + 512, 3 * 4096, mayUnmap), Is.EqualTo(BlockStatus.Ok));
            expected.AsSpan(4096 + 512, 3 * 4096).Clear();
            Assert.That(disk.Discard(1 << 20, 256 * 1024), Is.EqualTo(BlockStatus.Ok));
            expected.AsSpan(1 << 20, 256 * 1024).Clear();
            Assert.That(disk.WriteZeroes(2 << 20, 1 << 20, mayUnmap), Is.EqualTo(BlockStatus.Ok));
            expected.AsSpan(2 << 20, 1 << 20).Clear();
            AssertReads(disk, expected);
        }

        AssertQemuSees(image, expected);
    }

    [Test]
    public void Resize_Grow_QemuImgInfoShowsTheNewSizeAndTheNewEndIsWritable()
    {
        string image = Create("r.qcow2", "1M", "cluster_size=512");
        var expected = new byte[64 << 20];
        using (var disk = Open(image))
        {
            expected.AsSpan(0, 4096).Fill(0x42);
            Assert.That(disk.Write(0, expected.AsSpan(0, 4096)), Is.EqualTo(BlockStatus.Ok));
            Assert.That(disk.Resize(64 << 20), Is.EqualTo(BlockStatus.Ok));
            Assert.That(disk.Size, Is.EqualTo(64UL << 20));
            expected.AsSpan((64 << 20) - 8192, 8192).Fill(0x24);
            Assert.That(disk.Write((64 << 20) - 8192, expected.AsSpan((64 << 20) - 8192, 8192)), Is.EqualTo(BlockStatus.Ok));
            Assert.That(disk.Resize(1 << 20), Is.EqualTo(BlockStatus.Unsupported));
        }

        Assert.That(QemuTools.ImgOk("info", "--output=json", image), Does.Contain("\"virtual-size\": 67108864"));
        AssertQemuSees(image, expected);
    }

    [Test]
    public void Write_OverlayOverRawBase_ReadsMergedAndLeavesTheBaseUnchanged()
    {
        string raw = Path.Combine(_dir, "base.raw");
        var expected = new byte[4 << 20];
        new Random(5).NextBytes(expected);
        File.WriteAllBytes(raw, expected.AsSpan(0, 3 << 20).ToArray()); // shorter than the overlay: the rest reads as zeroes
        expected.AsSpan(3 << 20).Clear();
        string baseHash = QemuTools.Sha256(raw);
        string overlay = Path.Combine(_dir, "top.qcow2");
        QemuTools.ImgOk("create", "-f", "qcow2", "-o", "cluster_size=65536", "-b", raw, "-F", "raw", overlay, "4M");
        using (var disk = Open(overlay))
        {
            AssertReads(disk, expected);
            WriteRandom(disk, expected, new Random(6), requests: 100, maxSectors: 40);
            AssertReads(disk, expected);
        }

        Assert.That(QemuTools.Sha256(raw), Is.EqualTo(baseHash));
        AssertQemuSees(overlay, expected);
    }

    [Test]
    public void Write_ChainOfThreeQcow2Images_ReadsMergedAndLeavesTheLowerImagesUnchanged()
    {
        string baseImage = Create("base.qcow2", "4M", "cluster_size=4096");
        QemuTools.IoOk("qcow2", baseImage, "write -P 0x01 0 2M");
        string mid = Path.Combine(_dir, "mid.qcow2");
        QemuTools.ImgOk("create", "-f", "qcow2", "-o", "cluster_size=65536", "-b", "base.qcow2", "-F", "qcow2", mid, "4M");
        QemuTools.IoOk("qcow2", mid, "write -P 0x02 1M 1536k");
        string top = Path.Combine(_dir, "top.qcow2");
        QemuTools.ImgOk("create", "-f", "qcow2", "-o", "cluster_size=512", "-b", mid, "-F", "qcow2", top, "4M");
        var expected = new byte[4 << 20];
        expected.AsSpan(0, 2 << 20).Fill(0x01);
        expected.AsSpan(1 << 20, 1536 * 1024).Fill(0x02);
        string baseHash = QemuTools.Sha256(baseImage), midHash = QemuTools.Sha256(mid);
        using (var disk = Open(top))
        {
            AssertReads(disk, expected);
            WriteRandom(disk, expected, new Random(7), requests: 200, maxSectors: 20);
            AssertReads(disk, expected);
        }

        Assert.That(QemuTools.Sha256(baseImage), Is.EqualTo(baseHash));
        Assert.That(QemuTools.Sha256(mid), Is.EqualTo(midHash));
        AssertQemuSees(top, expected);
    }

    [Test]
    public void Open_BackingFromOptions_OverridesTheHeader()
    {
        string raw = Path.Combine(_dir, "other.raw");
        File.WriteAllBytes(raw, Enumerable.Repeat((byte)0x3c, 1 << 20).ToArray());
        string image = Create("o.qcow2", "1M", "cluster_size=65536");
        using var disk = BlockBackends.Open(new BlockOpenOptions
        {
            Path = image, Format = ImageFormat.Qcow2, ReadOnly = true, Backing = [new BackingImage(raw, ImageFormat.Raw)],
        });
        var data = new byte[4096];
        Assert.That(disk.Read(8192, data), Is.EqualTo(BlockStatus.Ok));
        Assert.That(data.All(b => b == 0x3c), Is.True);
    }

    [Test]
    public void Write_FromFourThreadsAtOnce_EveryWriteLands()
    {
        string image = Create("t.qcow2", "16M", "cluster_size=4096");
        var expected = new byte[16 << 20];
        new Random(11).NextBytes(expected);
        using (var disk = Open(image))
        {
            Parallel.For(0, 4, t =>
            {
                // Interleaved 12 KiB pieces: neighbours share L2 tables and refcount blocks.
                for (int piece = t; piece * 12288 < expected.Length; piece += 4)
                {
                    int length = Math.Min(12288, expected.Length - piece * 12288);
                    Assert.That(disk.Write((ulong)piece * 12288, expected.AsSpan(piece * 12288, length)), Is.EqualTo(BlockStatus.Ok));
                }
            });
            AssertReads(disk, expected);
        }

        AssertQemuSees(image, expected);
    }

    [Test]
    public void Request_OutsideTheDiskOrReadOnly_ReturnsAStatus()
    {
        string image = Create("s.qcow2", "1M", "cluster_size=65536");
        using var disk = Open(image, readOnly: true);
        var buffer = new byte[1024];
        Assert.That(disk.Read((1 << 20) - 512, buffer), Is.EqualTo(BlockStatus.OutOfRange));
        Assert.That(disk.Read(ulong.MaxValue - 511, buffer), Is.EqualTo(BlockStatus.OutOfRange));
        Assert.That(disk.Write(0, buffer), Is.EqualTo(BlockStatus.Unsupported));
        Assert.That(disk.WriteZeroes(0, 512, true), Is.EqualTo(BlockStatus.Unsupported));
        Assert.That(disk.Resize(2 << 20), Is.EqualTo(BlockStatus.Unsupported));
    }

    internal static void WriteRandom(IBlockBackend disk, byte[] expected, Random random, int requests, int maxSectors)
    {
        for (int i = 0; i < requests; i++)
        {
            int sectors = random.Next(1, maxSectors + 1);
            int offset = random.Next(0, expected.Length / 512 - sectors + 1) * 512;
            var data = new byte[sectors * 512];
            random.NextBytes(data);
            Assert.That(disk.Write((ulong)offset, data), Is.EqualTo(BlockStatus.Ok), $"write {i} at {offset}");
            data.CopyTo(expected, offset);
        }
    }

    internal static void AssertReads(IBlockBackend disk, byte[] expected)
    {
        var actual = new byte[expected.Length];
        Assert.That(disk.Read(0, actual), Is.EqualTo(BlockStatus.Ok));
        int mismatch = actual.AsSpan().CommonPrefixLength(expected);
        Assert.That(mismatch, Is.EqualTo(expected.Length), "first difference at this byte");
    }

    private void AssertQemuSees(string image, byte[] expected)
    {
        var check = QemuTools.Img("check", image);
        Assert.That(check.ExitCode, Is.EqualTo(0), check.Stdout + check.Stderr);
        string converted = Path.Combine(_dir, "converted.raw");
        QemuTools.ImgOk("convert", "-O", "raw", image, converted);
        var actual = File.ReadAllBytes(converted);
        Assert.That(actual.Length, Is.EqualTo(expected.Length));
        Assert.That(actual.AsSpan().CommonPrefixLength(expected), Is.EqualTo(expected.Length), "qemu-img convert differs from this byte");
        string reference = Path.Combine(_dir, "reference.raw");
        File.WriteAllBytes(reference, expected);
        var compare = QemuTools.Img("compare", "-f", "qcow2", "-F", "raw", image, reference);
        Assert.That(compare.ExitCode, Is.EqualTo(0), compare.Stdout + compare.Stderr);
    }

    private string Create(string name, string size, string options)
    {
        string path = Path.Combine(_dir, name);
        QemuTools.ImgOk("create", "-f", "qcow2", "-o", options, path, size);
        return path;
    }

    private static IBlockBackend Open(string path, bool readOnly = false, bool discardUnmap = false) =>
        BlockBackends.Open(new BlockOpenOptions { Path = path, Format = ImageFormat.Qcow2, ReadOnly = readOnly, DiscardUnmap = discardUnmap });
}
