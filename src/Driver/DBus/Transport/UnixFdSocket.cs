using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Kvm.DBus.Interop;
using Microsoft.Win32.SafeHandles;

namespace Kvm.DBus.Transport;

/// <summary>
/// Blocking sendmsg/recvmsg on a connected Unix socket, with descriptors as SCM_RIGHTS control messages.
/// Buffers handed to the kernel are pinned with <see cref="GCHandle"/> or live on the pinned object heap.
/// </summary>
internal sealed class UnixFdSocket
{
    private const int CmsgHeaderLength = 16;   // sizeof(struct cmsghdr) on 64-bit Linux
    private const int MaxFdsPerMessage = 253;  // SCM_MAX_FD
    private readonly Socket _socket;
    private readonly byte[] _control = GC.AllocateArray<byte>(CmsgHeaderLength + MaxFdsPerMessage * 4 + 4, pinned: true);
    private readonly byte[] _ioVec = GC.AllocateArray<byte>(Marshal.SizeOf<IoVec>(), pinned: true);
    private readonly byte[] _sendControl = GC.AllocateArray<byte>(CmsgHeaderLength + MaxFdsPerMessage * 4 + 4, pinned: true);
    private readonly byte[] _sendIoVec = GC.AllocateArray<byte>(Marshal.SizeOf<IoVec>(), pinned: true);

    public UnixFdSocket(Socket socket) => _socket = socket;

    /// <summary>Receives into <paramref name="buffer"/> (pinned by the caller); received descriptors are queued. 0 = end of stream.</summary>
    public int Receive(byte[] buffer, int offset, int count, Queue<SafeFileHandle> fds)
    {
        WriteIoVec(_ioVec, Marshal.UnsafeAddrOfPinnedArrayElement(buffer, offset), count);
        var header = new MsgHdr
        {
            Iov = Marshal.UnsafeAddrOfPinnedArrayElement(_ioVec, 0),
            IovLength = 1,
            Control = Marshal.UnsafeAddrOfPinnedArrayElement(_control, 0),
            ControlLength = (nuint)_control.Length,
        };
        while (true)
        {
            nint n = LibC.recvmsg(_socket.SafeHandle, ref header, LibC.MsgCmsgCloexec);
            if (n >= 0)
            {
                CollectDescriptors(header, fds);
                if ((header.Flags & LibC.MsgCtrunc) != 0)
                {
                    throw new DBusConnectionException("Descriptors were dropped: the control message was truncated");
                }
                return (int)n;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EIntr)
            {
                throw new SocketException(errno);
            }
        }
    }

    /// <summary>Sends all of <paramref name="data"/>; descriptors go with the first chunk.</summary>
    public void Send(ReadOnlyMemory<byte> data, IReadOnlyList<SafeHandle> handles)
    {
        if (handles.Count > MaxFdsPerMessage)
        {
            throw new ArgumentException($"At most {MaxFdsPerMessage} descriptors per message", nameof(handles));
        }
        if (!MemoryMarshal.TryGetArray(data, out ArraySegment<byte> segment))
        {
            segment = data.ToArray();
        }
        GCHandle pin = GCHandle.Alloc(segment.Array, GCHandleType.Pinned);
        var refs = new bool[handles.Count];
        try
        {
            int controlLength = 0;
            if (handles.Count > 0)
            {
                controlLength = WriteRights(handles, refs);
            }
            int sent = 0;
            while (sent < segment.Count)
            {
                WriteIoVec(_sendIoVec, Marshal.UnsafeAddrOfPinnedArrayElement(segment.Array!, segment.Offset + sent), segment.Count - sent);
                var header = new MsgHdr
                {
                    Iov = Marshal.UnsafeAddrOfPinnedArrayElement(_sendIoVec, 0),
                    IovLength = 1,
                    Control = controlLength == 0 ? 0 : Marshal.UnsafeAddrOfPinnedArrayElement(_sendControl, 0),
                    ControlLength = (nuint)controlLength,
                };
                nint n = LibC.sendmsg(_socket.SafeHandle, header, LibC.MsgNoSignal);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno is LibC.EIntr or LibC.EAgain)
                    {
                        continue;
                    }
                    throw new SocketException(errno);
                }
                sent += (int)n;
                controlLength = 0;
            }
        }
        finally
        {
            pin.Free();
            for (int i = 0; i < refs.Length; i++)
            {
                if (refs[i])
                {
                    handles[i].DangerousRelease();
                }
            }
        }
    }

    private int WriteRights(IReadOnlyList<SafeHandle> handles, bool[] refs)
    {
        int length = CmsgHeaderLength + handles.Count * 4;
        Span<byte> control = _sendControl.AsSpan();
        control.Clear();
        BinaryPrimitives.WriteInt64LittleEndian(control, length);       // cmsg_len
        BinaryPrimitives.WriteInt32LittleEndian(control[8..], LibC.SolSocket);
        BinaryPrimitives.WriteInt32LittleEndian(control[12..], LibC.ScmRights);
        for (int i = 0; i < handles.Count; i++)
        {
            handles[i].DangerousAddRef(ref refs[i]);
            BinaryPrimitives.WriteInt32LittleEndian(control[(CmsgHeaderLength + i * 4)..], (int)handles[i].DangerousGetHandle());
        }
        return (length + 7) & ~7; // CMSG_SPACE
    }

    private void CollectDescriptors(in MsgHdr header, Queue<SafeFileHandle> fds)
    {
        int total = (int)header.ControlLength;
        int offset = 0;
        while (offset + CmsgHeaderLength <= total)
        {
            ReadOnlySpan<byte> cmsg = _control.AsSpan(offset);
            int length = (int)BinaryPrimitives.ReadInt64LittleEndian(cmsg);
            int level = BinaryPrimitives.ReadInt32LittleEndian(cmsg[8..]);
            int type = BinaryPrimitives.ReadInt32LittleEndian(cmsg[12..]);
            if (length < CmsgHeaderLength || offset + length > total)
            {
                break;
            }
            if (level == LibC.SolSocket && type == LibC.ScmRights)
            {
                for (int i = CmsgHeaderLength; i + 4 <= length; i += 4)
                {
                    fds.Enqueue(new SafeFileHandle(BinaryPrimitives.ReadInt32LittleEndian(cmsg[i..]), ownsHandle: true));
                }
            }
            offset += (length + 7) & ~7;
        }
    }

    private static void WriteIoVec(byte[] target, nint address, int length)
    {
        BinaryPrimitives.WriteInt64LittleEndian(target, address);
        BinaryPrimitives.WriteInt64LittleEndian(target.AsSpan(8), length);
    }
}
