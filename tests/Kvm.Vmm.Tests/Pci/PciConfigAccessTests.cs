using System.Buffers.Binary;
using Kvm.Vmm.Devices.Acpi;
using Kvm.Vmm.Pci;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Pci;

/// <summary>Configuration mechanism #1 (0xCF8/0xCFC) and ECAM over the same bus, as Linux's probes use them.</summary>
public sealed class PciConfigAccessTests
{
    private PciRootBus _bus = null!;
    private PciConfigPorts _ports = null!;
    private PciEcam _ecam = null!;

    [SetUp]
    public void SetUp()
    {
        _bus = new PciRootBus();
        _bus.Add(0, new PciHostBridge());
        _ports = new PciConfigPorts(_bus);
        _ecam = new PciEcam(_bus);
    }

    [Test]
    public void AddressRegister_ReadsBackWhatLinuxWrites()
    {
        // pci_direct_probe: outl(0x80000000, 0xcf8) must read back.
        Out32(0, 0x8000_0000);
        Assert.That(In32(0), Is.EqualTo(0x8000_0000u));
        Out32(0, 0x8000_0803); // the low two bits are not part of the address
        Assert.That(In32(0), Is.EqualTo(0x8000_0800u));
    }

    [Test]
    public void HostBridge_IsFoundThroughBothMechanisms()
    {
        Out32(0, 0x8000_0000);
        Assert.That(In32(4), Is.EqualTo(0x1237_8086u), "vendor and device at 00:00.0: the i440FX PMC");
        Out32(0, 0x8000_0008);
        Assert.That(In32(4) >> 8, Is.EqualTo(0x06_00_00u), "class: host bridge");
        Span<byte> data = stackalloc byte[2];
        _ecam.Read(0x0a, data);
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(data), Is.EqualTo(0x0600), "class through ECAM");
    }

    [TestCase(0x8000_0800u)] // slot 1: nothing there
    [TestCase(0x8000_0100u)] // function 1 of slot 0
    [TestCase(0x8001_0000u)] // bus 1
    [TestCase(0x0000_0000u)] // enable bit off
    public void AbsentFunctions_ReadAllOnes(uint address)
    {
        Out32(0, address);
        Assert.That(In32(4), Is.EqualTo(uint.MaxValue));
    }

    [Test]
    public void Ecam_AccessesCrossingADwordOrWiderThanFour_AreDropped()
    {
        var data = new byte[8];
        _ecam.Read(0, data);
        Assert.That(data, Is.All.EqualTo(0xff));
        _ecam.Read(3, data.AsSpan(0, 2));
        Assert.That(data.Take(2), Is.All.EqualTo(0xff));
    }

    [Test]
    public void ConfigSpace_ReadOnlyFieldsIgnoreWritesAndTheCommandRegisterKeepsItsBits()
    {
        Out32(0, 0x8000_0000);
        Out32(4, 0xdead_beef);
        Assert.That(In32(4), Is.EqualTo(0x1237_8086u));
        Out32(0, 0x8000_0004);
        Out16(4, 0xffff);
        Assert.That(In32(4) & 0xffff, Is.EqualTo(0x0547u), "I/O, memory, bus master, parity, SERR, INTx disable");
    }

    [Test]
    public void Chipset_IsaBridgeIsMultiFunction_AndItsPowerManagementIsFunctionThree()
    {
        var ports = new Kvm.Vmm.Devices.IoBus();
        _bus.Add(1, 0, new Kvm.Vmm.Devices.Piix.PiixIsaBridge());
        _bus.Add(1, 3, new Kvm.Vmm.Devices.Piix.PiixPowerManagement(ports,
            new AcpiPmRegisters(new AcpiPmTimer(), () => { })));

        Out32(0, 0x8000_0800);
        Assert.That(In32(4), Is.EqualTo(0x7000_8086u), "PIIX3 at 00:01.0");
        Out32(0, 0x8000_080c);
        Assert.That((In32(4) >> 16) & 0xff, Is.EqualTo(0x80u), "header type: multi-function");
        Out32(0, 0x8000_0b00);
        Assert.That(In32(4), Is.EqualTo(0x7113_8086u), "PIIX4 power management at 00:01.3");
        Out32(0, 0x8000_0900);
        Assert.That(In32(4), Is.EqualTo(uint.MaxValue), "nothing at 00:01.1");
        Assert.That(_bus.IsFree(1), Is.False);
        Assert.That(_bus.Devices.Select(d => d.Address.ToString()), Is.EqualTo(new[] { "00:00.0", "00:01.0", "00:01.3" }));
    }

    [Test]
    public void HostBridge_PamRegistersKeepWhatFirmwareWrites()
    {
        Out32(0, 0x8000_0058);
        Out32(4, 0x3333_33ff); // 0x58 is not a PAM register; PAM0 keeps its upper nibble
        Assert.That(In32(4), Is.EqualTo(0x3333_3000u));
    }

    [TestCase((byte)0x06, 1)] // RST_CPU with SYS_RST: a hard reset, as OVMF and Linux's reboot=pci write it
    [TestCase((byte)0x04, 1)]
    [TestCase((byte)0x02, 0)] // SYS_RST alone only chooses the kind of the next reset
    public void ResetControl_RstCpu_ResetsTheMachine(byte value, int resets)
    {
        int count = 0;
        var ports = new PciConfigPorts(_bus, () => count++);

        ports.Write(PciConfigPorts.ResetControl, [value]);

        Assert.That(count, Is.EqualTo(resets));
        Span<byte> data = stackalloc byte[1];
        ports.Read(PciConfigPorts.ResetControl, data);
        Assert.That(data[0] & PciConfigPorts.ResetCpu, Is.Zero, "RST_CPU reads back as zero");
    }

    private void Out32(ushort offset, uint value)
    {
        Span<byte> data = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(data, value);
        _ports.Write(offset, data);
    }

    private void Out16(ushort offset, ushort value)
    {
        Span<byte> data = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(data, value);
        _ports.Write(offset, data);
    }

    private uint In32(ushort offset)
    {
        Span<byte> data = stackalloc byte[4];
        _ports.Read(offset, data);
        return BinaryPrimitives.ReadUInt32LittleEndian(data);
    }
}
