using System.Buffers.Binary;
using Kvm.Vmm.Memory;
using NLog;

namespace Kvm.Vmm.Devices.FwCfg;

/// <summary>
/// QEMU's firmware configuration device on the PC's I/O ports (fw_cfg, docs/specs/fw_cfg): a 16-bit selector at
/// 0x510, a byte-wide data port at 0x511 that reads the selected item from an offset that moves on, and the DMA
/// interface's big-endian address register at 0x514 (high half) and 0x518 (low half, whose write starts the
/// transfer). A DMA request is a big-endian {control, length, address} in guest memory: select, then read, skip or
/// write that many bytes; the device writes back the control word, 0 on success or the error bit. Every address the
/// guest names is checked against guest RAM, reads past an item's end give zeroes, and no item is writable.
/// </summary>
public sealed class FwCfgDevice : IPortDevice
{
    public const ushort IoBase = 0x510;

    /// <summary>Selector and data (0x510-0x511), a gap, then the DMA address (0x514-0x51b).</summary>
    public const ushort IoSize = 12;

    private const int DmaOffset = 4;
    private const uint DmaError = 0x01;
    private const uint DmaRead = 0x02;
    private const uint DmaSkip = 0x04;
    private const uint DmaSelect = 0x08;
    private const uint DmaWrite = 0x10;
    private const int ZeroChunk = 64 * 1024;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private static readonly byte[] s_zeroes = new byte[ZeroChunk];

    private static ReadOnlySpan<byte> DmaSignature => "QEMU CFG"u8;

    private readonly FwCfgContent _content;
    private readonly GuestMemory _memory;
    private readonly Lock _lock = new();
    private byte[]? _selected;
    private long _offset;
    private uint _dmaHigh;
    private long _lastWarning = long.MinValue / 2;

    public FwCfgDevice(FwCfgContent content, GuestMemory memory)
    {
        _content = content;
        _memory = memory;
        Select(FwCfgKey.Signature);
    }

    public void Read(ushort offset, Span<byte> data)
    {
        lock (_lock)
        {
            for (int i = 0; i < data.Length; i++)
            {
                int at = offset + i;
                data[i] = at switch
                {
                    0 or 1 when data.Length == 1 => NextDataByte(),
                    >= DmaOffset and < DmaOffset + 8 => DmaSignature[at - DmaOffset],
                    _ => 0,
                };
            }
        }
    }

    public void Write(ushort offset, ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (offset == 0 && data.Length == 2)
            {
                Select(BinaryPrimitives.ReadUInt16LittleEndian(data));
            }
            else if (offset is 0 or 1 && data.Length == 1)
            {
                // A data port write: no item is writable (QEMU ignores these too).
            }
            else if (offset == DmaOffset && data.Length == 4)
            {
                _dmaHigh = BinaryPrimitives.ReadUInt32BigEndian(data);
            }
            else if (offset == DmaOffset + 4 && data.Length == 4)
            {
                ulong address = ((ulong)_dmaHigh << 32) | BinaryPrimitives.ReadUInt32BigEndian(data);
                _dmaHigh = 0;
                Dma(address);
            }
        }
    }

    private void Select(ushort key)
    {
        _selected = (key & FwCfgKey.WriteChannel) != 0 ? null : _content.Item(key);
        _offset = 0;
    }

    private byte NextDataByte()
    {
        if (_selected is null || _offset >= _selected.Length)
        {
            return 0;
        }

        return _selected[_offset++];
    }

    /// <summary>Carries out the request at <paramref name="address"/> and writes back its control word.</summary>
    private void Dma(ulong address)
    {
        Span<byte> request = stackalloc byte[16];
        if (address > ulong.MaxValue - 16 || !_memory.TryRead(address, request))
        {
            Warn($"a DMA request at 0x{address:x}, outside RAM");
            return; // nowhere to write the status back
        }

        uint control = BinaryPrimitives.ReadUInt32BigEndian(request);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(request[4..]);
        ulong target = BinaryPrimitives.ReadUInt64BigEndian(request[8..]);
        if ((control & DmaSelect) != 0)
        {
            Select((ushort)(control >> 16));
        }

        bool ok = true;
        if ((control & DmaWrite) != 0)
        {
            ok = length == 0; // nothing is writable
        }
        else if ((control & DmaRead) != 0)
        {
            ok = Transfer(target, length);
        }
        else if ((control & DmaSkip) != 0)
        {
            _offset = Math.Min(_offset + length, _selected?.Length ?? 0);
        }

        Span<byte> status = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(status, ok ? 0 : DmaError);
        _memory.TryWrite(address, status);
    }

    /// <summary>Copies the item's next bytes to guest memory, then zeroes for what lies past its end.</summary>
    private bool Transfer(ulong target, uint length)
    {
        if (length == 0)
        {
            return true;
        }

        if (target > ulong.MaxValue - length || !_memory.IsRam(target, length))
        {
            Warn($"a DMA read into 0x{target:x}+0x{length:x}, outside RAM");
            return false;
        }

        int fromItem = _selected is null ? 0 : (int)Math.Min(length, Math.Max(0, _selected.Length - _offset));
        if (fromItem > 0 && !_memory.TryWrite(target, _selected.AsSpan((int)_offset, fromItem)))
        {
            return false;
        }

        _offset += fromItem;
        for (ulong at = (ulong)fromItem; at < length; at += ZeroChunk)
        {
            int piece = (int)Math.Min(ZeroChunk, length - at);
            if (!_memory.TryWrite(target + at, s_zeroes.AsSpan(0, piece)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Guest mistakes are logged at most once a second.</summary>
    private void Warn(string what)
    {
        long now = Environment.TickCount64;
        if (now - _lastWarning >= 1000)
        {
            _lastWarning = now;
            s_log.Warn("fw_cfg: the guest sent {What}", what);
        }
    }
}
