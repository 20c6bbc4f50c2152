using System.Buffers.Binary;
using System.Text;
using Kvm.Vmm.Devices;
using Kvm.Vmm.Devices.FwCfg;
using Kvm.Vmm.Memory;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// The fw_cfg device on the very I/O bus a guest sees, with real guest memory for DMA, accessed the way Linux's
/// qemu_fw_cfg and SeaBIOS access it: a 16-bit selector write, byte reads of the data port, and DMA requests whose
/// big-endian address goes to 0x514 (high) and 0x518 (low).
/// </summary>
public sealed class FwCfgDeviceTests
{
    private const ulong Request = 0x1000;
    private const ulong Buffer = 0x2000;
    private static readonly Guid s_uuid = Guid.Parse("5d1c1a84-7a52-4b3f-9a0e-3a2f5e6c7d8e");

    private GuestMemory _memory = null!;
    private IoBus _bus = null!;

    [SetUp]
    public void SetUp()
    {
        _memory = GuestMemory.Allocate([(0, 1 << 20)]);
        _bus = new IoBus();
        var content = FwCfgContent.Create(s_uuid, 256UL << 20, 2, [
            new("opt/org.example/b", "second"u8.ToArray()),
            new("opt/org.example/a", "first entry"u8.ToArray()),
        ]);
        _bus.Register(FwCfgDevice.IoBase, FwCfgDevice.IoSize, new FwCfgDevice(content, _memory));
    }

    [TearDown]
    public void TearDown() => _memory.Dispose();

    [Test]
    public void DataPort_GivesTheSignatureIdUuidAndCounts()
    {
        Assert.That(Encoding.ASCII.GetString(ReadItem(FwCfgKey.Signature, 4)), Is.EqualTo("QEMU"));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(ReadItem(FwCfgKey.Id, 4)), Is.EqualTo(3), "traditional and DMA interfaces");
        Assert.That(new Guid(ReadItem(FwCfgKey.Uuid, 16), bigEndian: true), Is.EqualTo(s_uuid));
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(ReadItem(FwCfgKey.RamSize, 8)), Is.EqualTo(256UL << 20));
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(ReadItem(FwCfgKey.CpuCount, 2)), Is.EqualTo(2));
        Assert.That(ReadItem(0x1234, 4), Is.EqualTo(new byte[4]), "an unknown key reads as zeroes");
        Assert.That(ReadItem(FwCfgKey.Signature | FwCfgKey.WriteChannel, 4), Is.EqualTo(new byte[4]), "nothing is open for writing");
        // SeaBIOS reads the counts of QEMU's legacy ACPI tables (0x8000) and SMBIOS entries (0x8001) and walks that many:
        // architecture-specific keys are not the generic items with bit 15 set (0x8000 is not the signature).
        Assert.That(ReadItem(FwCfgKey.ArchLocal | FwCfgKey.Signature, 2), Is.EqualTo(new byte[2]), "no legacy ACPI tables");
        Assert.That(ReadItem(FwCfgKey.ArchLocal | FwCfgKey.Id, 2), Is.EqualTo(new byte[2]), "no legacy SMBIOS entries");
    }

    [Test]
    public void FileDirectory_ListsTheFilesInNameOrderWithTheirKeys()
    {
        byte[] directory = ReadItem(FwCfgKey.FileDirectory, 4 + 2 * 64);
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(directory), Is.EqualTo(2));
        var entries = Enumerable.Range(0, 2).Select(i => directory.AsSpan(4 + 64 * i, 64).ToArray()).Select(e => (
            Size: BinaryPrimitives.ReadUInt32BigEndian(e),
            Key: BinaryPrimitives.ReadUInt16BigEndian(e.AsSpan(4)),
            Name: Encoding.ASCII.GetString(e, 8, 56).TrimEnd('\0'))).ToArray();
        Assert.That(entries, Is.EqualTo(new[] { (11u, (ushort)0x20, "opt/org.example/a"), (6u, (ushort)0x21, "opt/org.example/b") }));
        Assert.That(Encoding.ASCII.GetString(ReadItem(0x21, 6)), Is.EqualTo("second"));
    }

    [Test]
    public void Dma_SelectAndRead_CopiesTheItemAndZeroesPastItsEnd()
    {
        _memory.GetSpan(Buffer, 32).Fill(0xee);
        Assert.That(Dma(FwCfgKey.FirstFile, 0x08 | 0x02, 32, Buffer), Is.Zero, "control cleared: done");
        Assert.That(_memory.GetSpan(Buffer, 11).ToArray(), Is.EqualTo("first entry"u8.ToArray()));
        Assert.That(_memory.GetSpan(Buffer + 11, 21).ToArray(), Is.All.EqualTo(0), "past the end: zeroes");
    }

    [Test]
    public void Dma_SkipThenRead_GoesOnFromTheOffset()
    {
        Assert.That(Dma(FwCfgKey.FirstFile, 0x08 | 0x04, 6, 0), Is.Zero);
        Assert.That(Dma(0, 0x02, 5, Buffer), Is.Zero);
        Assert.That(_memory.GetSpan(Buffer, 5).ToArray(), Is.EqualTo("entry"u8.ToArray()));
        Assert.That(ReadData(1), Is.EqualTo(new byte[1]), "the data port goes on from the same offset: the end");
    }

    [Test]
    public void Dma_HostileRequests_FailWithTheErrorBitAndTouchNothingOutsideRam()
    {
        Assert.That(Dma(FwCfgKey.FirstFile, 0x08 | 0x02, 64, 0xffff_ff00), Is.EqualTo(1), "a target outside RAM");
        Assert.That(Dma(FwCfgKey.FirstFile, 0x08 | 0x02, uint.MaxValue, Buffer), Is.EqualTo(1), "a length past RAM");
        Assert.That(Dma(FwCfgKey.FirstFile, 0x08 | 0x10, 4, Buffer), Is.EqualTo(1), "a write: nothing is writable");
        Assert.That(Dma(FwCfgKey.FirstFile, 0x08 | 0x02, 0, 0xdead_0000_0000), Is.Zero, "nothing to move");

        // A request block outside RAM: nothing happens and nothing is written anywhere.
        _bus.Write((ushort)(FwCfgDevice.IoBase + 4), BigEndian(0x7fff_ffff));
        _bus.Write((ushort)(FwCfgDevice.IoBase + 8), BigEndian(0xffff_0000));
        Assert.That(Encoding.ASCII.GetString(ReadItem(FwCfgKey.Signature, 4)), Is.EqualTo("QEMU"), "the device still answers");
    }

    [Test]
    public void DmaAddressPort_ReadsAsTheDmaSignature()
    {
        var signature = new byte[8];
        for (int i = 0; i < 8; i++)
        {
            _bus.Read((ushort)(FwCfgDevice.IoBase + 4 + i), signature.AsSpan(i, 1));
        }

        Assert.That(Encoding.ASCII.GetString(signature), Is.EqualTo("QEMU CFG"));
    }

    [TestCase(false, 0)]
    [TestCase(true, 1)]
    public void Content_BootMenuItem_SaysWhetherTheMenuIsOffered(bool bootMenu, int expected)
    {
        var content = FwCfgContent.Create(s_uuid, 1 << 20, 1, [], bootMenu);
        Assert.That(content.Item(FwCfgKey.BootMenu), Is.EqualTo(new byte[] { (byte)expected, 0 }));
    }

    [Test]
    public void Content_RefusesBadNamesAndDuplicates()
    {
        Assert.That(() => FwCfgContent.Create(s_uuid, 1, 1, [new("", [])]), Throws.ArgumentException);
        Assert.That(() => FwCfgContent.Create(s_uuid, 1, 1, [new(new string('a', 56), [])]), Throws.ArgumentException.With.Message.Contains("55"));
        Assert.That(() => FwCfgContent.Create(s_uuid, 1, 1, [new("opt/é", [])]), Throws.ArgumentException);
        Assert.That(() => FwCfgContent.Create(s_uuid, 1, 1, [new("opt/a", []), new("opt/a", [1])]), Throws.ArgumentException.With.Message.Contains("twice"));
    }

    private byte[] ReadItem(int key, int length)
    {
        _bus.Write(FwCfgDevice.IoBase, BitConverter.GetBytes((ushort)key));
        return ReadData(length);
    }

    private byte[] ReadData(int length)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            _bus.Read((ushort)(FwCfgDevice.IoBase + 1), data.AsSpan(i, 1));
        }

        return data;
    }

    /// <summary>Writes a request block, starts it as Linux does (two big-endian 32-bit writes) and returns its control word.</summary>
    private uint Dma(ushort key, uint control, uint length, ulong address)
    {
        Span<byte> request = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(request, ((uint)key << 16) | control);
        BinaryPrimitives.WriteUInt32BigEndian(request[4..], length);
        BinaryPrimitives.WriteUInt64BigEndian(request[8..], address);
        _memory.Write(Request, request);
        _bus.Write((ushort)(FwCfgDevice.IoBase + 4), BigEndian((uint)(Request >> 32)));
        _bus.Write((ushort)(FwCfgDevice.IoBase + 8), BigEndian((uint)Request));
        return BinaryPrimitives.ReadUInt32BigEndian(_memory.GetSpan(Request, 4));
    }

    /// <summary>The bytes an <c>outl(cpu_to_be32(value))</c> puts on the ports.</summary>
    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
