using System.Buffers.Binary;

namespace Kvm.Vmm.Pci;

/// <summary>
/// A type 0 configuration space (PCI Local Bus 3.0, 6.1): the header, the BARs with their size masks, and a capability
/// list. Each byte has a mask of the bits the guest may write; the rest read back as the device set them. A write to a
/// BAR or to the command register reports the BARs whose decoded address changed through <see cref="BarsChanged"/>,
/// so the device can move its ranges on the buses.
/// </summary>
public sealed class PciConfigSpace
{
    public const int Size = 256;

    public const int VendorId = 0x00; // u16
    public const int DeviceId = 0x02; // u16
    public const int Command = 0x04; // u16
    public const int Status = 0x06; // u16
    public const int RevisionId = 0x08;
    public const int ClassCode = 0x09; // prog-if, subclass, class
    public const int HeaderType = 0x0e;
    public const int Bar0 = 0x10;
    public const int SubsystemVendorId = 0x2c;
    public const int SubsystemId = 0x2e;
    public const int CapabilitiesPointer = 0x34;
    public const int InterruptLine = 0x3c;
    public const int InterruptPin = 0x3d;

    public const ushort CommandIo = 1 << 0; // I/O space enable
    public const ushort CommandMemory = 1 << 1; // memory space enable
    public const ushort CommandBusMaster = 1 << 2;
    public const ushort CommandIntxDisable = 1 << 10;
    public const ushort StatusCapabilityList = 1 << 4;

    private const int FirstCapability = 0x40;

    private readonly byte[] _data = new byte[Size];
    private readonly byte[] _writable = new byte[Size];
    private readonly PciBar?[] _bars = new PciBar?[6];
    private readonly Lock _gate = new();
    private int _lastCapability;
    private int _nextCapability = FirstCapability;

    public PciConfigSpace(ushort vendor, ushort device, uint classCode, byte revision, ushort subsystemVendor, ushort subsystem)
    {
        Set16(VendorId, vendor);
        Set16(DeviceId, device);
        _data[RevisionId] = revision;
        _data[ClassCode] = (byte)classCode;
        _data[ClassCode + 1] = (byte)(classCode >> 8);
        _data[ClassCode + 2] = (byte)(classCode >> 16);
        Set16(SubsystemVendorId, subsystemVendor);
        Set16(SubsystemId, subsystem);
        Set16(Command + 0, 0);
        _writable[Command] = (byte)(CommandIo | CommandMemory | CommandBusMaster | (1 << 6));
        _writable[Command + 1] = (byte)((CommandIntxDisable | (1 << 8)) >> 8);
        _writable[InterruptLine] = 0xff;
        _writable[0x0c] = 0xff; // cache line size
    }

    /// <summary>Raised (on the writing vCPU thread, outside the lock) after a write changed what the BARs decode.</summary>
    public event Action? BarsChanged;

    public IReadOnlyList<PciBar?> Bars => _bars;

    public ushort CommandValue
    {
        get
        {
            lock (_gate)
            {
                return BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(Command));
            }
        }
    }

    public ushort VendorIdValue => BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(VendorId));

    public ushort DeviceIdValue => BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(DeviceId));

    public uint ClassCodeValue => (uint)(_data[ClassCode] | (_data[ClassCode + 1] << 8) | (_data[ClassCode + 2] << 16));

    /// <summary>Declares a BAR (before the guest runs); its address starts at 0 until <see cref="SetBarAddress"/>.</summary>
    public void AddBar(PciBar bar)
    {
        bool is64 = bar.Kind == PciBarKind.Memory64;
        ulong minimum = bar.IsMemory ? 16UL : 4UL;
        if (bar.Index is < 0 or > 5 || (is64 && bar.Index == 5) || bar.Size < minimum || (bar.Size & (bar.Size - 1)) != 0
            || (bar.Kind != PciBarKind.Memory64 && bar.Size > 1UL << 31) || _bars[bar.Index] is not null || (is64 && _bars[bar.Index + 1] is not null))
        {
            throw new ArgumentException($"BAR {bar.Index} ({bar.Kind}, 0x{bar.Size:x} bytes) cannot be declared");
        }

        _bars[bar.Index] = bar;
        uint flags = bar.Kind switch
        {
            PciBarKind.Io => 1u,
            PciBarKind.Memory32 => bar.Prefetchable ? 0x8u : 0u,
            PciBarKind.Memory64 => 0x4u | (bar.Prefetchable ? 0x8u : 0u),
        };
        int offset = Bar0 + (4 * bar.Index);
        Set32(offset, flags);
        ulong mask = ~(bar.Size - 1) & (bar.IsMemory ? ~0xfUL : ~0x3UL);
        BinaryPrimitives.WriteUInt32LittleEndian(_writable.AsSpan(offset), (uint)mask);
        if (is64)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_writable.AsSpan(offset + 4), (uint)(mask >> 32));
        }
    }

    /// <summary>Places a BAR, as firmware would before the guest runs.</summary>
    public void SetBarAddress(int index, ulong address)
    {
        var bar = _bars[index] ?? throw new ArgumentException($"BAR {index} is not declared");
        lock (_gate)
        {
            int offset = Bar0 + (4 * index);
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(offset)) & (bar.IsMemory ? 0xfu : 0x3u);
            Set32(offset, (uint)address | flags);
            if (bar.Kind == PciBarKind.Memory64)
            {
                Set32(offset + 4, (uint)(address >> 32));
            }
        }
    }

    /// <summary>
    /// The address a BAR decodes now, or null when its decoding is off (command register) or it holds no usable address
    /// (0, or the all-ones pattern of sizing).
    /// </summary>
    public ulong? DecodedAddress(int index)
    {
        if (_bars[index] is not { } bar)
        {
            return null;
        }

        lock (_gate)
        {
            ushort command = BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(Command));
            if ((command & (bar.IsMemory ? CommandMemory : CommandIo)) == 0)
            {
                return null;
            }

            int offset = Bar0 + (4 * index);
            ulong address = BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(offset)) & (bar.IsMemory ? ~0xfu : ~0x3u);
            if (bar.Kind == PciBarKind.Memory64)
            {
                address |= (ulong)BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(offset + 4)) << 32;
            }

            ulong sizing = ~(bar.Size - 1) & (bar.Kind == PciBarKind.Memory64 ? ulong.MaxValue : bar.IsMemory ? 0xffff_fff0UL : 0xffff_fffcUL);
            bool fits = bar.Kind == PciBarKind.Io ? address + bar.Size <= 0x10000 : address + bar.Size > address;
            return address == 0 || address == sizing || !fits ? null : address;
        }
    }

    /// <summary>Adds a capability with the given id and body (the bytes after id and next); returns its offset.</summary>
    /// <param name="writable">Per byte of the body, the bits the guest may write (shorter than the body: the rest are read-only).</param>
    public int AddCapability(byte id, ReadOnlySpan<byte> body, ReadOnlySpan<byte> writable = default)
    {
        int offset = _nextCapability;
        int length = 2 + body.Length;
        if (offset + length > Size)
        {
            throw new ArgumentException($"capability 0x{id:x2} does not fit the configuration space");
        }

        _data[offset] = id;
        _data[offset + 1] = 0;
        body.CopyTo(_data.AsSpan(offset + 2));
        writable.CopyTo(_writable.AsSpan(offset + 2));
        if (_lastCapability == 0)
        {
            _data[CapabilitiesPointer] = (byte)offset;
            Set16(Status, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(Status)) | StatusCapabilityList));
        }
        else
        {
            _data[_lastCapability + 1] = (byte)offset;
        }

        _lastCapability = offset;
        _nextCapability = (offset + length + 3) & ~3;
        return offset;
    }

    /// <summary>The interrupt pin the device uses (1 = INTA#), or 0 for none.</summary>
    public void SetInterruptPin(byte pin) => _data[InterruptPin] = pin;

    /// <summary>Sets the header type byte (bit 7: a multi-function device, whose functions 1 to 7 software then probes).</summary>
    public void SetHeaderType(byte type) => _data[HeaderType] = type;

    /// <summary>
    /// Defines a device-specific register (a chipset's, from 0x40 up): its value at reset and the bits the guest may
    /// write, byte for byte.
    /// </summary>
    public void DefineRegister(int offset, ReadOnlySpan<byte> value, ReadOnlySpan<byte> writable)
    {
        if (offset < 0x40 || offset + value.Length > Size || writable.Length != value.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"a device register is 0x40 to 0xff: 0x{offset:x} (+{value.Length})");
        }

        lock (_gate)
        {
            value.CopyTo(_data.AsSpan(offset));
            writable.CopyTo(_writable.AsSpan(offset));
        }
    }

    /// <summary>Reads a byte of the space (a device reading its own registers).</summary>
    public byte Get8(int offset)
    {
        lock (_gate)
        {
            return _data[offset];
        }
    }

    /// <summary>Reads a dword of the space (a device reading its own registers).</summary>
    public uint Get32(int offset)
    {
        lock (_gate)
        {
            return BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(offset));
        }
    }

    public void Read(int offset, Span<byte> data)
    {
        lock (_gate)
        {
            for (int i = 0; i < data.Length; i++)
            {
                int at = offset + i;
                data[i] = at is >= 0 and < Size ? _data[at] : (byte)0;
            }
        }
    }

    public void Write(int offset, ReadOnlySpan<byte> data)
    {
        bool barsTouched = false;
        lock (_gate)
        {
            for (int i = 0; i < data.Length; i++)
            {
                int at = offset + i;
                if (at is < 0 or >= Size)
                {
                    continue;
                }

                byte mask = _writable[at];
                _data[at] = (byte)((_data[at] & ~mask) | (data[i] & mask));
                barsTouched |= at is >= Command and < Command + 2 or >= Bar0 and < Bar0 + 24;
            }
        }

        if (barsTouched)
        {
            BarsChanged?.Invoke();
        }
    }

    /// <summary>Reads bytes of the capability at <paramref name="offset"/> (a device reading its own registers).</summary>
    public ushort Get16(int offset)
    {
        lock (_gate)
        {
            return BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(offset));
        }
    }

    private void Set16(int offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(_data.AsSpan(offset), value);

    private void Set32(int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_data.AsSpan(offset), value);
}
