using System.Buffers.Binary;

namespace Kvm.Vmm.Devices.Acpi;

/// <summary>
/// The ACPI power-management I/O block of a PC south bridge, as both PIIX4 (82371AB datasheet 7.1, 64 ports at the
/// PMBA) and ICH9 (ICH9 datasheet 13.8.3, 128 ports at PMBASE) lay out its fixed part: PM1 status (write one to clear),
/// PM1 enable, PM1 control (SCI_EN; SLP_EN with the soft-off sleep type powers the machine off) and the ACPI PM timer.
/// What differs between the two is given by <see cref="AcpiPmLayout"/>. The other registers read as zero and ignore
/// writes, except the SMI enable register of an ICH9, which reads with APMC_EN set (see <see cref="AcpiPmLayout"/>).
/// </summary>
public sealed class AcpiPmRegisters(AcpiPmTimer timer, Action powerOff, AcpiPmLayout? layout = null) : IPortDevice
{
    /// <summary>The PIIX4 block's length.</summary>
    public const ushort Length = 64;

    public const int Pm1Status = 0x00; // u16
    public const int Pm1Enable = 0x02; // u16
    public const int Pm1Control = 0x04; // u16
    public const int PmTimer = 0x08; // u32
    private const ushort SleepEnable = 1 << 13; // PM1_CNT SLP_EN, write-only
    private const int SleepTypeShift = 10; // PM1_CNT SLP_TYP, bits 12:10

    private readonly AcpiPmLayout _layout = layout ?? AcpiPmLayout.Piix4;
    private readonly Lock _gate = new();
    private ushort _status;
    private ushort _enable;
    private ushort _control;

    /// <summary>The number of ports the block takes.</summary>
    public ushort Size => _layout.Length;

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
            data[i] = at < registers.Length ? registers[at] : FixedByte(at);
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
                sleep = ((_control >> SleepTypeShift) & 0x7) == _layout.SoftOffSleepType;
                _control &= unchecked((ushort)~SleepEnable);
            }
        }

        if (sleep)
        {
            powerOff();
        }
    }

    /// <summary>A byte of the read-only registers past the timer: the SMI enable register's fixed value, else 0.</summary>
    private byte FixedByte(int at) =>
        _layout.SmiEnable is { } smiEnable && at >= smiEnable && at < smiEnable + 4 ? (byte)(_layout.SmiEnableValue >> ((at - smiEnable) * 8)) : (byte)0;
}
