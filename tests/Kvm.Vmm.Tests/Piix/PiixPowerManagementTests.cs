using System.Buffers.Binary;
using Kvm.Vmm.Devices;
using Kvm.Vmm.Devices.Acpi;
using Kvm.Vmm.Devices.Piix;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Piix;

/// <summary>PIIX4's power management as SeaBIOS and OVMF program it: PMBA and PMIOSE place the PM block with its timer.</summary>
public sealed class PiixPowerManagementTests
{
    private long _now;
    private int _powerOffs;
    private IoBus _ports = null!;
    private PiixPowerManagement _pm = null!;

    [SetUp]
    public void SetUp()
    {
        _now = 0;
        _powerOffs = 0;
        _ports = new IoBus();
        _pm = new PiixPowerManagement(_ports, new AcpiPmRegisters(new AcpiPmTimer(() => _now, 1_000_000_000), () => _powerOffs++));
    }

    [Test]
    public void Config_IsPiix4PowerManagement()
    {
        Assert.That(Config32(0x00), Is.EqualTo(0x7113_8086u));
        Assert.That(Config32(0x08) >> 8, Is.EqualTo(0x06_80_00u), "class: other bridge");
        Assert.That(Config32(PiixPowerManagement.PmBase), Is.EqualTo(1u), "PMBA reads 1 in bit 0 (I/O space) before firmware writes it");
        WriteConfig32(PiixPowerManagement.DeviceActivityB, 0);
        Assert.That(Config32(PiixPowerManagement.DeviceActivityB) & (1u << 25), Is.Not.Zero, "APMC_EN: SMM set-up reads as done, and stays so");
    }

    [Test]
    public void PmBlock_AnswersOnlyOnceFirmwareSetsPmbaAndPmiose()
    {
        WriteConfig32(PiixPowerManagement.PmBase, 0xb000);
        Assert.That(_pm.MappedAt, Is.Zero, "PMIOSE is still off");
        Assert.That(In32(0xb008), Is.EqualTo(uint.MaxValue));

        WriteConfig8(PiixPowerManagement.PmMisc, 1);

        Assert.That(_pm.MappedAt, Is.EqualTo(0xb000));
        Assert.That(Config32(PiixPowerManagement.PmBase), Is.EqualTo(0xb001u));
        _now = 1_000_000; // 1 ms: 3579.545 ticks
        Assert.That(In32(0xb008), Is.EqualTo(3579u));
    }

    [Test]
    public void PmBlock_MovesWhenFirmwareRewritesPmba_AndGoesWithPmiose()
    {
        WriteConfig32(PiixPowerManagement.PmBase, 0x600 | 1);
        WriteConfig8(PiixPowerManagement.PmMisc, 1);
        Assert.That(_pm.MappedAt, Is.EqualTo(0x600));

        WriteConfig32(PiixPowerManagement.PmBase, 0xb000);
        Assert.That(_pm.MappedAt, Is.EqualTo(0xb000));
        Assert.That(In32(0x608), Is.EqualTo(uint.MaxValue), "nothing left at the old place");
        Assert.That(In32(0xb008), Is.Not.EqualTo(uint.MaxValue));

        WriteConfig8(PiixPowerManagement.PmMisc, 0);
        Assert.That(_pm.MappedAt, Is.Zero);
        Assert.That(In32(0xb008), Is.EqualTo(uint.MaxValue));
    }

    [Test]
    public void PmBlock_OverAnotherDevice_IsNotPlacedAndNothingThrows()
    {
        _ports.Register(0x700, 4, new PostCodePort());
        WriteConfig32(PiixPowerManagement.PmBase, 0x700);
        WriteConfig8(PiixPowerManagement.PmMisc, 1);
        Assert.That(_pm.MappedAt, Is.Zero);
    }

    [Test]
    public void Timer_IsTwentyFourBitsAndWraps()
    {
        Enable();
        _now = 10_000_000_000; // 10 s: 35,795,450 ticks, past 2^24
        Assert.That(In32(0xb008), Is.EqualTo(35_795_450u & AcpiPmTimer.Mask));
    }

    [TestCase((ushort)0x2000, 1)] // SLP_EN with SLP_TYP 0: soft off
    [TestCase((ushort)0x3400, 0)] // SLP_TYP 5: not a PIIX4 soft-off
    [TestCase((ushort)0x0001, 0)] // SCI_EN only
    public void Pm1Control_SleepEnableWithSoftOff_PowersOff(ushort value, int powerOffs)
    {
        Enable();
        Span<byte> data = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(data, value);
        _ports.Write(0xb004, data);
        Assert.That(_powerOffs, Is.EqualTo(powerOffs));
        _ports.Read(0xb004, data);
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(data) & 0x2000, Is.Zero, "SLP_EN is write-only");
    }

    [Test]
    public void Pm1Status_WriteOneClears_EnableKeepsItsValue()
    {
        Enable();
        _ports.Write(0xb002, [0x21, 0x01]);
        Span<byte> data = stackalloc byte[4];
        _ports.Read(0xb000, data);
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(data), Is.EqualTo(0x0121_0000u));
    }

    private void Enable()
    {
        WriteConfig32(PiixPowerManagement.PmBase, 0xb000);
        WriteConfig8(PiixPowerManagement.PmMisc, 1);
    }

    private uint In32(ushort port)
    {
        Span<byte> data = stackalloc byte[4];
        _ports.Read(port, data);
        return BinaryPrimitives.ReadUInt32LittleEndian(data);
    }

    private uint Config32(int offset)
    {
        Span<byte> data = stackalloc byte[4];
        _pm.ReadConfig(offset, data);
        return BinaryPrimitives.ReadUInt32LittleEndian(data);
    }

    private void WriteConfig32(int offset, uint value)
    {
        Span<byte> data = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(data, value);
        _pm.WriteConfig(offset, data);
    }

    private void WriteConfig8(int offset, byte value) => _pm.WriteConfig(offset, [value]);
}
