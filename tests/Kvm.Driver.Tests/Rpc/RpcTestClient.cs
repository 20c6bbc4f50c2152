using System.Buffers.Binary;
using System.Net.Sockets;
using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>A bare RPC client for the server tests: writes packets, reads whole packets back, nothing else.</summary>
internal sealed class RpcTestClient : IDisposable
{
    private uint _serial;

    public RpcTestClient(string path)
    {
        Socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Socket.Connect(new UnixDomainSocketEndPoint(path));
        Socket.ReceiveTimeout = 10_000;
    }

    public Socket Socket { get; }

    public delegate void Args(ref XdrWriter writer);

    public void Dispose() => Socket.Dispose();

    /// <summary>Sends a CALL of the remote program and returns the reply's header and body.</summary>
    public (RpcHeader Header, byte[] Body) Call(RemoteProcedure procedure, Args? args = null) => Call((int)procedure, args);

    public (RpcHeader Header, byte[] Body) Call(int procedure, Args? args = null)
    {
        uint serial = ++_serial;
        Send(new RpcHeader(RpcPrograms.Remote, RpcPrograms.RemoteVersion, procedure, RpcMessageType.Call, serial, RpcStatus.Ok), args);
        (RpcHeader header, byte[] body) = Receive();
        Assert.That(header.Serial, Is.EqualTo(serial), "the reply answers the call");
        return (header, body);
    }

    /// <summary>AUTH_LIST and CONNECT_OPEN, as libvirt's client starts.</summary>
    public void Open()
    {
        Assert.That(Call(RemoteProcedure.AuthList).Header.Status, Is.EqualTo(RpcStatus.Ok));
        (RpcHeader header, byte[] body) = Call(RemoteProcedure.ConnectOpen, (ref XdrWriter w) =>
        {
            w.WriteOptionalString("qemu:///session");
            w.WriteUInt32(0);
        });
        Assert.That(header.Status, Is.EqualTo(RpcStatus.Ok), () => ErrorMessage(body));
    }

    public void Send(RpcHeader header, Args? args = null)
    {
        PacketBuffer packet = PacketBuffer.Start(header, out XdrWriter writer);
        args?.Invoke(ref writer);
        SendRaw(packet.ToPacket().Span);
    }

    public void SendRaw(ReadOnlySpan<byte> bytes) => Socket.Send(bytes);

    public (RpcHeader Header, byte[] Body) Receive()
    {
        byte[] word = ReceiveExactly(4);
        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(word);
        byte[] rest = ReceiveExactly(length - 4);
        var reader = new XdrReader(rest);
        RpcHeader header = RpcHeader.Read(ref reader);
        return (header, rest[RpcLimits.Header..]);
    }

    /// <summary>True when the server has closed the connection (a read returns end of stream or a reset).</summary>
    public bool IsClosedByServer(TimeSpan timeout)
    {
        Socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        byte[] buffer = new byte[65536];
        try
        {
            while (true)
            {
                if (Socket.Receive(buffer) == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            return false;
        }
    }

    /// <summary>The message of a remote_error body.</summary>
    public static string ErrorMessage(byte[] body)
    {
        var reader = new XdrReader(body);
        reader.ReadInt32();
        reader.ReadInt32();
        return reader.ReadOptionalString() ?? "";
    }

    /// <summary>code and domain of a remote_error body.</summary>
    public static (int Code, int Domain) ErrorCode(byte[] body)
    {
        var reader = new XdrReader(body);
        return (reader.ReadInt32(), reader.ReadInt32());
    }

    private byte[] ReceiveExactly(int count)
    {
        byte[] buffer = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            int read = Socket.Receive(buffer, filled, count - filled, SocketFlags.None);
            if (read == 0)
            {
                throw new EndOfStreamException("the server closed the connection");
            }
            filled += read;
        }
        return buffer;
    }
}
