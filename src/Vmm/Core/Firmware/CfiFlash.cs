using Kvm.Vmm.Bus;
using Kvm.Vmm.Memory;
using Microsoft.Win32.SafeHandles;
using NLog;

namespace Kvm.Vmm.Firmware;

/// <summary>
/// A parallel NOR flash with the Intel command set, as QEMU's pc machines give OVMF (CFI pflash, 4 KiB blocks). The
/// guest reads it as read-only memory straight from <see cref="Contents"/>; a command written to it (a write to
/// read-only memory, so an MMIO exit) reaches <see cref="Write"/>. Byte program and block erase change the contents
/// and, for the variable store, the backing file, which is flushed to disk when the guest returns to read-array (OVMF
/// does at the end of each write and erase), so a committed variable survives a crash. A status or identifier read
/// answers at the address the command was written to: the device puts the answer into the mapped contents there and
/// takes it back at read-array. (QEMU instead takes the whole flash out of the guest's memory map while a command is
/// pending; deleting and re-adding a KVM memory slot for it costs far more, and crashes the emulated machine our
/// nested-KVM tests run in. Firmware reads the answer where it wrote the command: OVMF's probe does, and nothing
/// else of OVMF's reads in a command mode.) Flash without a file (the firmware's code) ignores commands: writes to
/// it are logged once.
/// </summary>
public sealed class CfiFlash : IBusDevice, IDisposable
{
    public const int BlockSize = 0x1000;

    // Intel command set (Intel 28F-series / CFI 3.x basic command set), as OVMF's flash driver writes them.
    private const byte ProgramByte = 0x10;
    private const byte ProgramByteAlternate = 0x40;
    private const byte EraseBlock = 0x20;
    private const byte ClearStatus = 0x50;
    private const byte ReadStatus = 0x70;
    private const byte ReadIdentifier = 0x90;
    private const byte EraseConfirm = 0xd0;
    private const byte ReadArray = 0xff;
    private const byte StatusReady = 0x80; // status register bit 7: write state machine ready
    private const byte StatusEraseError = 0x20;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly SafeFileHandle? _file;
    private readonly Lock _gate = new();
    private Mode _mode = Mode.Array;
    private byte _status = StatusReady;
    private ulong? _answerAt;
    private byte _answered;
    private bool _dirty;
    private bool _warned;

    /// <summary>A flash of <paramref name="contents"/> (mapped read-only by the caller), written through to <paramref name="file"/> when not null.</summary>
    public CfiFlash(GuestMemory contents, SafeFileHandle? file, string name)
    {
        Contents = contents;
        _file = file;
        Name = name;
        Base = contents.Regions[0].GuestAddress;
        Size = contents.Regions[0].Size;
    }

    private enum Mode
    {
        Array,
        Status,
        Program,
        Erase,
        Identifier,
    }

    public string Name { get; }

    public GuestMemory Contents { get; }

    public ulong Base { get; }

    public ulong Size { get; }

    public bool Writable => _file is not null;

    public void Read(ulong offset, Span<byte> data)
    {
        // The contents are mapped, so the guest's reads come here only in tests: they see what the guest would.
        lock (_gate)
        {
            ReadContents(offset, data);
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || offset >= Size)
        {
            return;
        }

        if (_file is null)
        {
            if (!_warned)
            {
                _warned = true;
                s_log.Warn("The guest wrote to read-only flash {Flash} at 0x{Address:x}; ignored", Name, Base + offset);
            }

            return;
        }

        lock (_gate)
        {
            TakeBackAnswer();
            switch (_mode)
            {
                case Mode.Program:
                    Program(offset, data);
                    _status |= StatusReady;
                    _mode = Mode.Status;
                    return;
                case Mode.Erase:
                    if (data[0] == EraseConfirm)
                    {
                        Erase(offset);
                    }
                    else
                    {
                        _status |= StatusEraseError;
                    }

                    _status |= StatusReady;
                    _mode = Mode.Status;
                    return;
            }

            Command(offset, data[0]);
        }
    }

    public void Dispose() => _file?.Dispose();

    private void Command(ulong offset, byte command)
    {
        switch (command)
        {
            case ReadArray or ClearStatus:
                if (command == ClearStatus)
                {
                    // The cleared register reads 0x00 until the next program or erase completes, as QEMU's pflash
                    // answers: OVMF's probe (clear status, read status) takes anything else for not-a-flash and
                    // keeps its variables in RAM.
                    _status = 0;
                }

                Flush();
                _mode = Mode.Array;
                return;
            case ProgramByte or ProgramByteAlternate:
                _mode = Mode.Program;
                return;
            case EraseBlock:
                _mode = Mode.Erase;
                return;
            case ReadIdentifier:
                // Manufacturer (Intel) at even addresses, device at odd ones, as QEMU's pc flash answers.
                _mode = Mode.Identifier;
                Answer(offset, (offset & 1) == 0 ? (byte)0x89 : (byte)0x18);
                return;
            case ReadStatus:
                _mode = Mode.Status;
                Answer(offset, _status);
                return;
            default:
                if (s_log.IsDebugEnabled)
                {
                    s_log.Debug("Flash {Flash}: command 0x{Command:x2} not implemented; reading status", Name, command);
                }

                _mode = Mode.Status;
                Answer(offset, _status);
                return;
        }
    }

    /// <summary>Shows <paramref name="value"/> to the guest's reads at <paramref name="offset"/> until the next write.</summary>
    private void Answer(ulong offset, byte value)
    {
        var at = Contents.GetSpan(Base + offset, 1);
        _answerAt = offset;
        _answered = at[0];
        at[0] = value;
    }

    private void TakeBackAnswer()
    {
        if (_answerAt is { } offset)
        {
            Contents.GetSpan(Base + offset, 1)[0] = _answered;
            _answerAt = null;
        }
    }

    private void Program(ulong offset, ReadOnlySpan<byte> data)
    {
        int length = (int)Math.Min((ulong)data.Length, Size - offset);
        data = data[..length];
        data.CopyTo(Contents.GetSpan(Base + offset, length));
        WriteFile(offset, data);
    }

    private void Erase(ulong offset)
    {
        ulong start = offset & ~(ulong)(BlockSize - 1);
        var block = Contents.GetSpan(Base + start, (int)Math.Min(BlockSize, Size - start));
        block.Fill(0xff);
        WriteFile(start, block);
    }

    private void WriteFile(ulong offset, ReadOnlySpan<byte> data)
    {
        try
        {
            RandomAccess.Write(_file!, data, (long)offset);
            _dirty = true;
        }
        catch (IOException e)
        {
            // The guest's variable store can no longer be saved: say so once and report the failure in the status.
            _status |= StatusEraseError | 0x10;
            s_log.Error(e, "Flash {Flash}: writing the variable store failed", Name);
        }
    }

    private void Flush()
    {
        if (!_dirty)
        {
            return;
        }

        _dirty = false;
        int result = Interop.FileIo.FDataSync(_file!);
        if (result < 0)
        {
            s_log.Error("Flash {Flash}: flushing the variable store failed (errno {Errno})", Name, -result);
        }
    }

    private void ReadContents(ulong offset, Span<byte> data)
    {
        data.Fill(0xff);
        if (offset < Size)
        {
            int length = (int)Math.Min((ulong)data.Length, Size - offset);
            Contents.GetSpan(Base + offset, length).CopyTo(data);
        }
    }
}
