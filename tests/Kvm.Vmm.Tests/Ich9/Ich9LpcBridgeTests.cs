using System.Buffers.Binary;
using Kvm.Vmm.Devices;
using Kvm.Vmm.Devices.Acpi;
using Kvm.Vmm.Devices.Ich9;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Ich9;

/// <summary>
/// The ICH9 LPC bridge as SeaBIOS programs it on q35: PMBASE and ACPI_EN place the 128-port PM block (PM1, the PM timer
/// at +8, GPE0 at +0x20, SMI_EN at +0x30); PM1_CNT with the ICH9's S5 sleep type powers off; PIRQ and RCBA keep what
/// firmware writes; a base that collides is refused without harm.
/// </summary>
public sealed class Ich9LpcBridgeTests
{
    private long _now;
    private int _powerOffs;
    private IoBus _ports = null!;
    private Ich9LpcBridge _lpc = null!;

    [SetUp]
    public void SetUp()
    {
        _now = 0;
        _powerOffs = 0;
        _ports = new IoBus();
        _lpc = new Ich9LpcBridge(_ports, new AcpiPmRegisters(new AcpiPmTimer(() => _now, 1_000_000_000), () => _powerOffs++, AcpiPmLayout.Ich9));
    }

    [Test]
    public void Config_IsTheIch9LpcBridge()
    {
        Assert.That(Config32(0x00), Is.EqualTo(0x2918_8086u));
        Assert.That(Config32(0x08) >> 8, Is.EqualTo(0x06_01_00u), "class: ISA bridge");
        Assert.That(Config8(0x0e), Is.EqualTo(0x80), "multi-function, as the ICH9's function 0");
        Assert.That(Config32(Ich9LpcBridge.PmBase), Is.EqualTo(1u), "PMBASE reads 1 in bit 0 (I/O space) before firmware writes it");
        Assert.That(Config32(Ich9LpcBridge.PirqRouteA), Is.EqualTo(0x8080_8080u), "PIRQ[A-D] routing disabled at reset");
        Assert.That(Config32(Ich9LpcBridge.PirqRouteE), Is.EqualTo(0x8080_8080u), "PIRQ[E-H] routing disabled at reset");
    }

    [Test]
    public void PmBlock_AnswersOnlyOnceFirmwareSetsPmBaseAndAcpiEn()
    {
        WriteConfig32(Ich9LpcBridge.PmBase, 0x601);
        Assert.That(_lpc.MappedAt, Is.Zero, "ACPI_EN is still off");
        Assert.That(In32(0x608), Is.EqualTo(uint.MaxValue));

        WriteConfig8(Ich9LpcBridge.AcpiControl, Ich9LpcBridge.AcpiEnable);

        Assert.That(_lpc.MappedAt, Is.EqualTo(0x600));
        Assert.That(Config32(Ich9LpcBridge.PmBase), Is.EqualTo(0x601u));
        _now = 1_000_000; // 1 ms: 3579.545 ticks
        Assert.That(In32(0x608), Is.EqualTo(3579u), "the PM timer at PMBASE + 8");
        Assert.That(In32(0x630) & (1u << 5), Is.Not.Zero, "SMI_EN's APMC_EN: SMM set-up reads as done");
        Assert.That(In32(0x67c), Is.Zero, "the block is 128 ports long");
        Assert.That(In32(0x680), Is.EqualTo(uint.MaxValue), "and no longer");
    }

    [Test]
    public void PmBlock_MovesWithPmBase_IsAlignedTo128_AndGoesWithAcpiEn()
    {
        WriteConfig32(Ich9LpcBridge.PmBase, 0x601);
        WriteConfig8(Ich9LpcBridge.AcpiControl, Ich9LpcBridge.AcpiEnable);
        WriteConfig32(Ich9LpcBridge.PmBase, 0xb07f);

        Assert.That(_lpc.MappedAt, Is.EqualTo(0xb000), "bits 6:1 are not part of the base");
        Assert.That(In32(0x608), Is.EqualTo(uint.MaxValue), "nothing left at the old place");
        Assert.That(In32(0xb008), Is.Not.EqualTo(uint.MaxValue));

        WriteConfig8(Ich9LpcBridge.AcpiControl, 0);
        Assert.That(_lpc.MappedAt, Is.Zero);
        Assert.That(In32(0xb008), Is.EqualTo(uint.MaxValue));
    }

    [Test]
    public void PmBlock_OverAnotherDevice_IsRefusedAndTheOtherDeviceKeepsItsPorts()
    {
        var serial = new RecordingPort();
        _ports.Register(0x3f8, 8, serial);
        WriteConfig32(Ich9LpcBridge.PmBase, 0x380);
        Assert.DoesNotThrow(() => WriteConfig8(Ich9LpcBridge.AcpiControl, Ich9LpcBridge.AcpiEnable));

        Assert.That(_lpc.MappedAt, Is.Zero);
        _ports.Write(0x3f8, [0x41]);
        Assert.That(serial.Writes, Is.EqualTo(1), "the UART still answers at 0x3F8");
    }

    [Test]
    public void Pm1Control_Ich9SoftOffSleepType_PowersOff_OtherTypesDoNot()
    {
        WriteConfig32(Ich9LpcBridge.PmBase, 0x601);
        WriteConfig8(Ich9LpcBridge.AcpiControl, Ich9LpcBridge.AcpiEnable);

        Out16(0x604, (ushort)((1 << 13) | (0 << 10))); // SLP_EN with type 0: not S5 on ICH9
        Assert.That(_powerOffs, Is.Zero);
        Out16(0x604, (ushort)((1 << 13) | (7 << 10) | 1)); // SLP_EN, SLP_TYP 111 (S5), SCI_EN
        Assert.That(_powerOffs, Is.EqualTo(1));
        Assert.That(In32(0x604) & 0xffff, Is.EqualTo((uint)((7 << 10) | 1)), "SLP_EN is write-only");
    }

    [Test]
    public void PirqAndRcba_KeepWhatFirmwareWrites()
    {
        WriteConfig32(Ich9LpcBridge.PirqRouteA, 0x0b0b_0a0a);
        WriteConfig32(Ich9LpcBridge.PirqRouteE, 0xffff_ffff);
        WriteConfig32(Ich9LpcBridge.RootComplexBase, 0xfed1_c001);

        Assert.That(Config32(Ich9LpcBridge.PirqRouteA), Is.EqualTo(0x0b0b_0a0au));
        Assert.That(Config32(Ich9LpcBridge.PirqRouteE), Is.EqualTo(0x8f8f_8f8fu), "IRQ bits 3:0 and the disable bit");
        Assert.That(Config32(Ich9LpcBridge.RootComplexBase), Is.EqualTo(0xfed1_c001u));
    }

    [Test]
    public void SeededRandomConfigWrites_NeverThrow_AndTheBlockIsMappedOnlyWhereAsked()
    {
        var random = new Random(1935);
        for (int i = 0; i < 5000; i++)
        {
            int offset = random.Next(0, 256);
            int width = new[] { 1, 2, 4 }[random.Next(3)];
            if (offset + width > 256)
            {
                continue;
            }

            var data = new byte[width];
            random.NextBytes(data);
            Assert.DoesNotThrow(() => _lpc.WriteConfig(offset, data));
            ushort wanted = (Config8(Ich9LpcBridge.AcpiControl) & Ich9LpcBridge.AcpiEnable) != 0 ? (ushort)(Config32(Ich9LpcBridge.PmBase) & 0xff80) : (ushort)0;
            Assert.That(_lpc.MappedAt, Is.EqualTo(wanted).Or.Zero);
        }
    }

    private uint In32(ushort port)
    {
        Span<byte> data = stackalloc byte[4];
        _ports.Read(port, data);
        return BinaryPrimitives.ReadUInt32LittleEndian(data);
    }

    private void Out16(ushort port, ushort value)
    {
        Span<byte> data = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(data, value);
        _ports.Write(port, data);
    }

    private uint Config32(int offset)
    {
        Span<byte> data = stackalloc byte[4];
        _lpc.ReadConfig(offset, data);
        return BinaryPrimitives.ReadUInt32LittleEndian(data);
    }

    private byte Config8(int offset)
    {
        Span<byte> data = stackalloc byte[1];
        _lpc.ReadConfig(offset, data);
        return data[0];
    }

    private void WriteConfig32(int offset, uint value)
    {
        Span<byte> data = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(data, value);
        _lpc.WriteConfig(offset, data);
    }

    private void WriteConfig8(int offset, byte value) => _lpc.WriteConfig(offset, [value]);

    private sealed class RecordingPort : IPortDevice
    {
        public int Writes { get; private set; }

        public void Read(ushort offset, Span<byte> data) => data.Clear();

        public void Write(ushort offset, ReadOnlySpan<byte> data) => Writes++;
    }
}
