using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Kvm.Vmm.Interop;
using Microsoft.Win32.SafeHandles;
using NLog;

namespace Kvm.Vmm.Net;

/// <summary>
/// User-mode networking through passt (<see cref="PasstProcess"/>), spoken to as QEMU's <c>-netdev stream</c> does:
/// on a Unix stream socket, each Ethernet frame preceded by its length, 4 bytes big-endian. passt carries plain,
/// checksummed frames, so this backend offers no offloads: it adds an empty virtio-net header to each frame it reads
/// and drops the header of each frame it writes. Frames are read exactly (length, then frame) so that a frame is
/// never held here while the socket polls empty; a frame sent in part is finished before the next one goes. passt
/// ending (its socket closed) is answered by starting it again, once, with a log line; the next time the backend
/// fails and the device takes its link down.
/// </summary>
public sealed class PasstBackend : INetBackend
{
    /// <summary>sizeof(struct virtio_net_hdr_v1): the header the device's frames carry.</summary>
    public const int HeaderSize = 12;

    /// <summary>The length before each frame on the stream.</summary>
    public const int LengthSize = 4;

    /// <summary>The largest frame taken: 64 KiB plus an Ethernet header and a VLAN tag (passt's MTU is at most 65520).</summary>
    public const int MaxFrame = 65536 + 14 + 4;

    private const int FinishPartialWithinMilliseconds = 50;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly PasstOptions _options;
    private readonly string _nic;
    private readonly SafeFileHandle _socket;
    private readonly byte[] _length = new byte[LengthSize];
    private readonly byte[] _rxFrame = new byte[MaxFrame];
    private readonly byte[] _tx = new byte[LengthSize + MaxFrame];
    private PasstProcess _passt;
    private int _lengthGot;
    private int _frameLength;
    private int _frameGot;
    private bool _discard;
    private int _txStart;
    private int _txEnd;
    private bool _restarted;
    private bool _failed;
    private bool _warnedOversize;

    private PasstBackend(PasstOptions options, string nic, PasstProcess passt, SafeFileHandle socket)
    {
        _options = options;
        _nic = nic;
        _passt = passt;
        _socket = socket;
    }

    public string Name => "passt";

    public SafeHandle ReadHandle => _socket;

    public NetOffloads SupportedOffloads => NetOffloads.None;

    /// <summary>passt's process id (the current one, after a restart).</summary>
    public int Pid => _passt.Pid;

    /// <summary>Starts passt for the NIC <paramref name="nic"/>; throws <see cref="NetBackendException"/> with the reason.</summary>
    public static PasstBackend Start(PasstOptions options, string nic)
    {
        ArgumentNullException.ThrowIfNull(options);
        var passt = PasstProcess.Start(options, nic, out var socket);
        return new PasstBackend(options, nic, passt, socket);
    }

    public bool TrySetOffloads(NetOffloads offloads) => offloads == NetOffloads.None;

    public int Read(Span<byte> frame)
    {
        if (_failed)
        {
            return -StreamSocketIo.EPipe;
        }

        while (true)
        {
            if (_lengthGot < LengthSize)
            {
                int n = StreamSocketIo.Receive(_socket, _length.AsSpan(_lengthGot));
                if (n == -Libc.EAgain)
                {
                    return 0;
                }

                if (n <= 0)
                {
                    return Lost(n);
                }

                _lengthGot += n;
                if (_lengthGot < LengthSize)
                {
                    continue;
                }

                uint length = BinaryPrimitives.ReadUInt32BigEndian(_length);
                _frameLength = (int)Math.Min(length, int.MaxValue);
                _frameGot = 0;
                _discard = length > MaxFrame || length > (uint)(frame.Length - HeaderSize);
            }

            if (_frameGot < _frameLength)
            {
                var into = _discard ? _rxFrame.AsSpan(0, Math.Min(_rxFrame.Length, _frameLength - _frameGot)) : _rxFrame.AsSpan(_frameGot, _frameLength - _frameGot);
                int n = StreamSocketIo.Receive(_socket, into);
                if (n == -Libc.EAgain)
                {
                    return 0;
                }

                if (n <= 0)
                {
                    return Lost(n);
                }

                _frameGot += n;
                if (_frameGot < _frameLength)
                {
                    continue;
                }
            }

            _lengthGot = 0;
            if (_discard || _frameLength == 0)
            {
                WarnOversize();
                continue;
            }

            frame[..HeaderSize].Clear();
            _rxFrame.AsSpan(0, _frameLength).CopyTo(frame[HeaderSize..]);
            return HeaderSize + _frameLength;
        }
    }

    public int Write(ReadOnlySpan<byte> frame)
    {
        if (_failed)
        {
            return -StreamSocketIo.EPipe;
        }

        if (frame.Length < HeaderSize || frame.Length - HeaderSize > MaxFrame)
        {
            return -NetIo.EInval;
        }

        // The rest of a frame sent in part goes first: until it has, a new frame would cut into it and is dropped.
        if (_txStart < _txEnd && !Flush())
        {
            return -Libc.EAgain;
        }

        var payload = frame[HeaderSize..];
        BinaryPrimitives.WriteUInt32BigEndian(_tx, (uint)payload.Length);
        payload.CopyTo(_tx.AsSpan(LengthSize));
        int total = LengthSize + payload.Length;
        int sent = StreamSocketIo.Send(_socket, _tx.AsSpan(0, total));
        if (sent < 0)
        {
            return sent; // nothing went: the frame is dropped and the stream stays whole (passt gone: Read restarts it)
        }

        if (sent < total)
        {
            _txStart = sent;
            _txEnd = total;
            FlushWithin(FinishPartialWithinMilliseconds);
        }

        return frame.Length;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _passt.Dispose();
    }

    /// <summary>Sends what is left of a frame sent in part: true once all of it went.</summary>
    private bool Flush()
    {
        while (_txStart < _txEnd)
        {
            int n = StreamSocketIo.Send(_socket, _tx.AsSpan(_txStart, _txEnd - _txStart));
            if (n <= 0)
            {
                return false;
            }

            _txStart += n;
        }

        return true;
    }

    private void FlushWithin(int milliseconds)
    {
        long end = Environment.TickCount64 + milliseconds;
        while (!Flush() && Environment.TickCount64 < end && StreamSocketIo.WaitWritable(_socket, (int)Math.Max(1, end - Environment.TickCount64)))
        {
        }
    }

    /// <summary>passt's end of the stream closed (or failed): start it again once; after that the backend has failed.</summary>
    private int Lost(int result)
    {
        string why = result == 0 ? "closed its socket" : Libc.ErrorText(-result);
        _lengthGot = _frameGot = _frameLength = _txStart = _txEnd = 0;
        _discard = false;
        int status = _passt.Stop(); // reaps it (or stops it, when only the socket failed)
        _passt.Dispose();
        if (!_restarted)
        {
            _restarted = true;
            s_log.Error("{Nic}: passt (pid {Pid}) ended ({Why}, exit status {Status}: {Output}); starting it again, once",
                _nic, _passt.Pid, why, status, _passt.LastLines());
            try
            {
                Restart();
                return 0;
            }
            catch (NetBackendException e)
            {
                s_log.Error("{Nic}: passt could not be started again: {Reason}", _nic, e.Message);
            }
        }
        else
        {
            s_log.Error("{Nic}: passt (pid {Pid}) ended again ({Why}, exit status {Status}); it is not restarted a second time",
                _nic, _passt.Pid, why, status);
        }

        _failed = true;
        return result == 0 ? -StreamSocketIo.EPipe : result;
    }

    /// <summary>A new passt on a new pair, whose socket takes the old one's descriptor number (the device thread polls that number).</summary>
    private void Restart()
    {
        var passt = PasstProcess.Start(_options, _nic, out var socket);
        using (socket)
        {
            bool added = false;
            try
            {
                socket.DangerousAddRef(ref added);
                int result = StreamSocketIo.ReplaceWith(_socket, (int)socket.DangerousGetHandle());
                if (result < 0)
                {
                    passt.Dispose();
                    throw new NetBackendException($"Cannot take over passt's new socket: {Libc.ErrorText(-result)}");
                }
            }
            finally
            {
                if (added)
                {
                    socket.DangerousRelease();
                }
            }
        }

        _passt = passt;
        s_log.Info("{Nic}: passt started again (pid {Pid})", _nic, passt.Pid);
    }

    private void WarnOversize()
    {
        if (_discard && !_warnedOversize)
        {
            _warnedOversize = true;
            s_log.Warn("{Nic}: passt sent a frame of {Length} bytes, more than the {Max} taken; dropped (said once)", _nic, _frameLength, MaxFrame);
        }
    }
}
