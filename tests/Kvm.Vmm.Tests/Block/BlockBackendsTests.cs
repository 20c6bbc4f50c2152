using System.Buffers.Binary;
using Kvm.Vmm.Block;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Block;

/// <summary>What <see cref="BlockBackends.Open"/> refuses, and how it says so.</summary>
[TestFixture]
[NonParallelizable]
public sealed class BlockBackendsTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        QemuTools.Require();
        _dir = QemuTools.ScratchDirectory("open");
    }

    [TearDown]
    public void TearDown() => QemuTools.DeleteScratch(_dir);

    [Test]
    public void Open_LazyRefcounts_RefusesWritingButReads()
    {
        string image = Create("lazy.qcow2", "lazy_refcounts=on");
        var e = Assert.Throws<BlockException>(() => Open(image, readOnly: false));
        Assert.That(e!.Message, Does.Contain(image).And.Contain("lazy_refcounts"));
        using var disk = Open(image, readOnly: true);
        Assert.That(disk.Read(0, new byte[512]), Is.EqualTo(BlockStatus.Ok));
    }

    [Test]
    public void Open_CorruptBit_RefusesWritingButReads()
    {
        string image = Create("corrupt.qcow2", "compat=1.1");
        Patch(image, 72, Qcow2Header.IncompatCorrupt);
        var e = Assert.Throws<BlockException>(() => Open(image, readOnly: false));
        Assert.That(e!.Message, Does.Contain("marked corrupt"));
        using var disk = Open(image, readOnly: true);
        Assert.That(disk.ReadOnly, Is.True);
    }

    [Test]
    public void Open_ExtendedL2_RefusedWithAClearMessage()
    {
        string image = Create("sub.qcow2", "extended_l2=on");
        var e = Assert.Throws<BlockException>(() => Open(image, readOnly: true));
        Assert.That(e!.Message, Is.EqualTo($"Invalid qcow2 image {image}: extended L2 entries (subclusters) are not supported"));
    }

    [Test]
    public void Open_UnknownIncompatibleFeature_RefusedByItsNameFromTheFeatureTable()
    {
        string image = Create("feature.qcow2", "compat=1.1");
        byte[] header = File.ReadAllBytes(image).AsSpan(0, 65536).ToArray();
        int table = FindExtension(header, 0x6803f857);
        Assert.That(table, Is.GreaterThan(0), "qemu-img wrote no feature name table");
        // Rename the first entry (incompatible bit 0, "dirty bit") to bit 9 and set bit 9.
        Assert.That(header[table + 8], Is.EqualTo(0));
        string name = System.Text.Encoding.ASCII.GetString(header, table + 10, 46).TrimEnd('\0');
        using (var file = new FileStream(image, FileMode.Open))
        {
            file.Position = table + 9;
            file.WriteByte(9);
        }

        Patch(image, 72, 1UL << 9);
        var e = Assert.Throws<BlockException>(() => Open(image, readOnly: true));
        Assert.That(e!.Message, Does.EndWith($"unsupported incompatible feature: {name}"));
    }

    [Test]
    public void Open_RawFileAsQcow2_RefusedForItsMagic()
    {
        string raw = Path.Combine(_dir, "plain.raw");
        File.WriteAllBytes(raw, new byte[65536]);
        var e = Assert.Throws<BlockException>(() => BlockBackends.Open(new BlockOpenOptions { Path = raw, Format = ImageFormat.Qcow2 }));
        Assert.That(e!.Message, Does.Contain(raw).And.Contain("bad magic"));
    }

    [Test]
    public void Open_MissingBackingFile_NamesIt()
    {
        string image = Path.Combine(_dir, "orphan.qcow2");
        QemuTools.ImgOk("create", "-f", "qcow2", "-u", "-b", "gone.qcow2", "-F", "qcow2", image, "1M");
        var e = Assert.Throws<BlockException>(() => Open(image, readOnly: true));
        Assert.That(e!.Message, Does.Contain(Path.Combine(_dir, "gone.qcow2")).And.Contain("No such file"));
    }

    [Test]
    public void Open_ClusterBitsOutOfRange_Refused()
    {
        string image = Create("bits.qcow2", "compat=1.1");
        using (var file = new FileStream(image, FileMode.Open))
        {
            file.Position = 20;
            file.Write([0, 0, 0, 22]);
        }

        var e = Assert.Throws<BlockException>(() => Open(image, readOnly: true));
        Assert.That(e!.Message, Does.Contain("cluster_bits 22 is outside 9..21"));
    }

    private static int FindExtension(byte[] header, uint type)
    {
        int position = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(100));
        while (position + 8 <= header.Length)
        {
            uint t = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(position));
            uint length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(position + 4));
            if (t == type)
            {
                return position;
            }

            if (t == 0)
            {
                return -1;
            }

            position += 8 + (int)((length + 7) & ~7u);
        }

        return -1;
    }

    private static void Patch(string image, int offset, ulong bits)
    {
        using var file = new FileStream(image, FileMode.Open);
        var value = new byte[8];
        file.Position = offset;
        file.ReadExactly(value);
        BinaryPrimitives.WriteUInt64BigEndian(value, BinaryPrimitives.ReadUInt64BigEndian(value) | bits);
        file.Position = offset;
        file.Write(value);
    }

    private string Create(string name, string options)
    {
        string path = Path.Combine(_dir, name);
        QemuTools.ImgOk("create", "-f", "qcow2", "-o", options, path, "1M");
        return path;
    }

    private static IBlockBackend Open(string path, bool readOnly) =>
        BlockBackends.Open(new BlockOpenOptions { Path = path, Format = ImageFormat.Qcow2, ReadOnly = readOnly });
}
