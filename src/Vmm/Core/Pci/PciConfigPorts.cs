using System.Buffers.Binary;
using Kvm.Vmm.Devices;

namespace Kvm.Vmm.Pci;

/// <summary>
/// Configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2): the address register at 0xCF8 (dword accesses only:
/// enable bit 31, bus 23-16, device 15-11, function 10-8, register 7-2) and the data window at 0xCFC-0xCFF; and,
/// in a byte access to 0xCF9, the reset control register of the PIIX (82371SB 4.1.5) and of the ICH9 (RST_CNT, ICH9
/// datasheet 13.7.5), whose RST_CPU bit resets the machine.
/// </summary>
public sealed class PciConfigPorts(PciRootBus bus, Action? reset = null) : IPortDevice
{
    public const ushort BasePort = 0xcf8;
    public const ushort PortCount = 8;

    /// <summary>The reset control register's offset (port 0xCF9) and its RST_CPU bit.</summary>
    public const ushort ResetControl = 1;
    public const byte ResetCpu = 1 << 2;

    private const uint Enable = 1u << 31;

    private uint _address;
    private byte _resetControl;

    public void Read(ushort offset, Span<byte> data)
    {
        if (offset == 0 && data.Length == 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data, Volatile.Read(ref _address));
            return;
        }

        if (offset == ResetControl && data.Length == 1)
        {
            data[0] = Volatile.Read(ref _resetControl);
            return;
        }

        if (offset >= 4 && TryTarget(offset, data.Length, out int b, out int slot, out int function, out int register))
        {
            bus.ReadConfig(b, slot, function, register, data);
            return;
        }

        data.Fill(0xff);
    }

    public void Write(ushort offset, ReadOnlySpan<byte> data)
    {
        if (offset == 0 && data.Length == 4)
        {
            Volatile.Write(ref _address, BinaryPrimitives.ReadUInt32LittleEndian(data) & 0x80ff_fffc);
            return;
        }

        if (offset == ResetControl && data.Length == 1)
        {
            Volatile.Write(ref _resetControl, (byte)(data[0] & ~ResetCpu & 0x0e));
            if ((data[0] & ResetCpu) != 0)
            {
                reset?.Invoke();
            }

            return;
        }

        if (offset >= 4 && TryTarget(offset, data.Length, out int b, out int slot, out int function, out int register))
        {
            bus.WriteConfig(b, slot, function, register, data);
        }
    }

    private bool TryTarget(ushort offset, int width, out int b, out int slot, out int function, out int register)
    {
        uint address = Volatile.Read(ref _address);
        b = (int)((address >> 16) & 0xff);
        slot = (int)((address >> 11) & 0x1f);
        function = (int)((address >> 8) & 0x7);
        register = (int)(address & 0xfc) + (offset - 4);
        // An access must not run past the dword the address register selects.
        return (address & Enable) != 0 && (offset - 4) + width <= 4;
    }
}
