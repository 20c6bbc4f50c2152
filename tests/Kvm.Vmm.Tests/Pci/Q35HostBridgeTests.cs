using System.Buffers.Binary;
using Kvm.Vmm.Bus;
using Kvm.Vmm.Pci;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Pci;

/// <summary>
/// The Q35 MCH as SeaBIOS, OVMF and the guest program it: PCIEXBAR places ECAM on the MMIO bus (and moves or removes
/// it), a base over RAM, the firmware area or another device is refused without harm; PAM and SMRAM keep what is written.
/// </summary>
public sealed class Q35HostBridgeTests
{
    private const ulong RamEnd = 0x8000_0000; // 2 GiB below 4 GiB

    private MmioBus _mmio = null!;
    private PciRootBus _bus = null!;
    private EcamWindow _ecam = null!;
    private Q35HostBridge _mch = null!;

    [SetUp]
    public void SetUp()
    {
        _mmio = new MmioBus();
        _bus = new PciRootBus();
        _ecam = new EcamWindow(_mmio, _bus, [(0, RamEnd), (0xfec0_0000, 0x140_0000)]);
        _mch = new Q35HostBridge(_ecam);
        _bus.Add(0, _mch);
    }

    [Test]
    public void Config_IsTheQ35Mch_WithPciExBarDisabledAtReset()
    {
        Assert.That(Config32(0x00), Is.EqualTo(0x29c0_8086u));
        Assert.That(Config32(0x08) >> 8, Is.EqualTo(0x06_00_00u), "class: host bridge");
        Assert.That(Config32(Q35HostBridge.PciExBar), Is.EqualTo(0xb000_0000u), "QEMU's base, PCIEXBAREN clear");
        Assert.That(_ecam.Mapped, Is.EqualTo((0UL, 0UL)));
        Assert.That(EcamRead32(0xb000_0000), Is.EqualTo(uint.MaxValue), "no ECAM before firmware enables it");
    }

    [Test]
    public void PciExBar_EnabledAt0xB0000000_MapsEcamFor256Buses()
    {
        WriteConfig32(Q35HostBridge.PciExBar + 4, 0);
        WriteConfig32(Q35HostBridge.PciExBar, 0xb000_0001);

        Assert.That(_ecam.Mapped, Is.EqualTo((0xb000_0000UL, 0x1000_0000UL)));
        Assert.That(EcamRead32(0xb000_0000), Is.EqualTo(0x29c0_8086u), "00:00.0 through ECAM");
        Assert.That(EcamRead32(0xb000_0000 + (1UL << 20)), Is.EqualTo(uint.MaxValue), "bus 1 is empty");
        Assert.That(EcamRead32(0xbff0_0000 + (31UL << 15) + (7UL << 12)), Is.EqualTo(uint.MaxValue), "the last function of bus 255 is inside the window");
        Assert.That(_mmio.Ranges.Single().Base, Is.EqualTo(0xb000_0000UL));
    }

    [TestCase(0x0000_0000u, 0x0000_0000u, 0x0UL, 0x0UL)]
    [TestCase(0xb000_0001u, 0x0000_0000u, 0xb000_0000UL, 0x1000_0000UL)]
    [TestCase(0xb800_0003u, 0x0000_0000u, 0xb800_0000UL, 0x0800_0000UL)]
    [TestCase(0xbc00_0005u, 0x0000_0000u, 0xbc00_0000UL, 0x0400_0000UL)]
    [TestCase(0xb000_0007u, 0x0000_0000u, 0x0UL, 0x0UL)]
    [TestCase(0x1000_0001u, 0x0000_0008u, 0x8_1000_0000UL, 0x1000_0000UL)]
    [TestCase(0xbc00_0001u, 0xffff_ffffu, 0xf_b000_0000UL, 0x1000_0000UL)]
    public void Decode_LengthSelectsBusesAndBaseBits(uint low, uint high, ulong expectedBase, ulong expectedSize)
    {
        Assert.That(Q35HostBridge.Decode(low | ((ulong)high << 32)), Is.EqualTo((expectedBase, expectedSize)));
    }

    [Test]
    public void PciExBar_Reprogrammed_MovesEcam_AndDisablingRemovesIt()
    {
        WriteConfig32(Q35HostBridge.PciExBar, 0xb000_0001);
        WriteConfig32(Q35HostBridge.PciExBar, 0xe000_0003); // 128 MiB at 0xE0000000

        Assert.That(_ecam.Mapped, Is.EqualTo((0xe000_0000UL, 0x0800_0000UL)));
        Assert.That(EcamRead32(0xb000_0000), Is.EqualTo(uint.MaxValue), "nothing left at the old base");
        Assert.That(EcamRead32(0xe000_0000), Is.EqualTo(0x29c0_8086u));
        Assert.That(Config32(Q35HostBridge.PciExBar), Is.EqualTo(0xe000_0003u));

        WriteConfig32(Q35HostBridge.PciExBar, 0xe000_0002);
        Assert.That(_ecam.Mapped, Is.EqualTo((0UL, 0UL)));
        Assert.That(_mmio.Ranges, Is.Empty);
    }

    [TestCase(0x4000_0001u, 0u, TestName = "PciExBar_OverRam_IsRefusedAndEcamStaysUnmapped")]
    [TestCase(0xf000_0001u, 0u, TestName = "PciExBar_OverTheFirmwareArea_IsRefusedAndEcamStaysUnmapped")]
    [TestCase(0xb000_0007u, 0u, TestName = "PciExBar_ReservedLength_IsIgnored")]
    public void PciExBar_Refused(uint low, uint high)
    {
        WriteConfig32(Q35HostBridge.PciExBar + 4, high);
        Assert.DoesNotThrow(() => WriteConfig32(Q35HostBridge.PciExBar, low));
        Assert.That(_ecam.Mapped, Is.EqualTo((0UL, 0UL)));
        Assert.That(_mmio.Ranges, Is.Empty);
    }

    [Test]
    public void PciExBar_OverAnotherDevice_IsRefused_AndAValidBaseLaterWorks()
    {
        var other = new RecordingDevice();
        _mmio.Register(0xc000_0000, 0x1000, other);
        WriteConfig32(Q35HostBridge.PciExBar, 0xc000_0001);
        Assert.That(_ecam.Mapped, Is.EqualTo((0UL, 0UL)));
        Assert.That(_mmio.Ranges.Count(), Is.EqualTo(1), "the other device keeps its range");

        WriteConfig32(Q35HostBridge.PciExBar, 0xb000_0001);
        Assert.That(_ecam.Mapped, Is.EqualTo((0xb000_0000UL, 0x1000_0000UL)));
    }

    [Test]
    public void PciExBar_ReadOnlyBitsStayClear()
    {
        WriteConfig32(Q35HostBridge.PciExBar, 0xffff_ffff);
        WriteConfig32(Q35HostBridge.PciExBar + 4, 0xffff_ffff);
        Assert.That(Config32(Q35HostBridge.PciExBar), Is.EqualTo(0xfc00_0007u), "base bits 31:26, LENGTH and enable");
        Assert.That(Config32(Q35HostBridge.PciExBar + 4), Is.EqualTo(0x0000_000fu), "base bits 35:32");
    }

    [Test]
    public void PamAndSmram_KeepWhatFirmwareWrites()
    {
        for (int i = 0; i < Q35HostBridge.PamCount; i++)
        {
            WriteConfig8(Q35HostBridge.Pam0 + i, 0xff);
        }

        Assert.That(Config8(Q35HostBridge.Pam0), Is.EqualTo(0x30), "PAM0 decodes only the 0xF0000 segment's nibble");
        Assert.That(Config8(Q35HostBridge.Pam0 + 6), Is.EqualTo(0x33));
        Assert.That(Config8(Q35HostBridge.SmramControl), Is.EqualTo(0x02), "C_BASE_SEG at reset: 0xA0000");
        WriteConfig8(Q35HostBridge.SmramControl, 0x4a);
        Assert.That(Config8(Q35HostBridge.SmramControl), Is.EqualTo(0x4a), "D_OPEN and G_SMRAME");
        WriteConfig8(0x97, 0xff);
        Assert.That(Config8(0x97), Is.Zero, "past PAM6: nothing");
    }

    private uint EcamRead32(ulong address)
    {
        Span<byte> data = stackalloc byte[4];
        _mmio.Read(address, data);
        return BinaryPrimitives.ReadUInt32LittleEndian(data);
    }

    private uint Config32(int offset)
    {
        Span<byte> data = stackalloc byte[4];
        _bus.ReadConfig(0, 0, 0, offset, data);
        return BinaryPrimitives.ReadUInt32LittleEndian(data);
    }

    private byte Config8(int offset)
    {
        Span<byte> data = stackalloc byte[1];
        _bus.ReadConfig(0, 0, 0, offset, data);
        return data[0];
    }

    private void WriteConfig32(int offset, uint value)
    {
        Span<byte> data = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(data, value);
        _bus.WriteConfig(0, 0, 0, offset, data);
    }

    private void WriteConfig8(int offset, byte value) => _bus.WriteConfig(0, 0, 0, offset, [value]);

    private sealed class RecordingDevice : IBusDevice
    {
        public void Read(ulong offset, Span<byte> data) => data.Clear();

        public void Write(ulong offset, ReadOnlySpan<byte> data)
        {
        }
    }
}
