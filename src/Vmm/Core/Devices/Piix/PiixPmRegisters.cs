using System.Buffers.Binary;

namespace Kvm.Vmm.Devices.Piix;

/// <summary>
/// The PIIX4 power-management I/O block (82371AB datasheet 7.1, 64 ports at the PMBA): PM1 status (write one to
/// clear), PM1 enable, PM1 control (SCI_EN; SLP_EN with sleep type 0, soft-off, powers the machine off) and the ACPI
/// PM timer. The other registers read as zero and ignore writes.
/// </summary>
public sealed class PiixPmRegisters(AcpiPmTimer timer, Action powerOff) : IPortDevice
{
    public const ushort Length = 64;

    private const int Pm1Status = 0x00; // u16
    private const int Pm1Enable = 0x02; // u16
    private const int Pm1Control = 0x04; // u16
    private const int PmTimer = 0x08; // u32
    private const ushort SleepEnable = 1 << 13; // PM1_CNT SLP_EN, write-only
    private const int SleepTypeShift = 10; // PM1_CNT SLP_TYP, bits 12:10
    private const int SoftOffSleepType = 0; // PIIX4: 000 = soft off (S5)

    private readonly Lock _gate = new();
    private ushort _status;
    private ushort _enable;
    private ushort _control;

    public void Read(ushort offset, Span<byte> data)
    {
        Span<byte> registers = stackalloc byte[16];
        lock (_gate)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(registers[Pm1Status..], _status);
            BinaryPrimitives.WriteUInt16LittleEndian(registers[Pm1Enable..], _enable);
            BinaryPrimitives.WriteUInt16LittleEndian(registers[Pm1Control..], _control);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(registers[PmTimer..], timer.Read());
        for (int i = 0; i < data.Length; i++)
        {
            int at = offset + i;
            data[i] = at < registers.Length ? registers[at] : (byte)0;
        }
    }

    public void Write(ushort offset, ReadOnlySpan<byte> data)
    {
        bool sleep = false;
        lock (_gate)
        {
            for (int i = 0; i < data.Length; i++)
            {
                int at = offset + i;
                int shift = (at & 1) * 8;
                ushort value = (ushort)(data[i] << shift);
                ushort mask = (ushort)(0xff << shift);
                switch (at & ~1)
                {
                    case Pm1Status:
                        _status &= (ushort)~value;
                        break;
                    case Pm1Enable:
                        _enable = (ushort)((_enable & ~mask) | value);
                        break;
                    case Pm1Control:
                        _control = (ushort)((_control & ~mask) | value);
                        break;
                }
            }

            if ((_control & SleepEnable) != 0)
            {
                sleep = ((_control >> SleepTypeShift) & 0x7) == SoftOffSleepType;
                _control &= unchecked((ushort)~SleepEnable);
            }
        }

        if (sleep)
        {
            powerOff();
        }
    }
}
