using System.Net.Sockets;
using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc.Fuzz;

/// <summary>
/// A fuzzing connection: sends without waiting for answers, and reads everything the server sends back, checking that
/// each packet is a well-formed reply (or keepalive pong) whose errors decode as libvirt's remote_error.
/// </summary>
internal sealed class FuzzPeer : IDisposable
{
    private readonly Socket _socket;
    private readonly Task _drain;
    private readonly FuzzAnswers _answers;

    private FuzzPeer(Socket socket, FuzzAnswers answers)
    {
        _socket = socket;
        _answers = answers;
        _drain = Task.Run(DrainAsync);
    }

    /// <summary>Connects and opens the connection (CONNECT_OPEN), so the calls that follow reach the procedures.</summary>
    public static FuzzPeer Connect(string path, FuzzAnswers answers)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { SendTimeout = 5000 };
        socket.Connect(new UnixDomainSocketEndPoint(path));
        var peer = new FuzzPeer(socket, answers);
        var open = new RpcHeader(RpcPrograms.Remote, 1, (int)RemoteProcedure.ConnectOpen, RpcMessageType.Call, 1, RpcStatus.Ok);
        PacketBuffer packet = PacketBuffer.Start(open, out XdrWriter writer);
        writer.WriteOptionalString(null);
        writer.WriteUInt32(0);
        peer.TrySend(packet.ToPacket().ToArray());
        return peer;
    }

    public bool TrySend(byte[] packet)
    {
        try
        {
            _socket.Send(packet);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Hangs up its sending side and reads what the server still sends until the server closes too.</summary>
    public void Dispose()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
        bool drained = _drain.Wait(TimeSpan.FromSeconds(10));
        _socket.Dispose();
        Assert.That(drained, Is.True, "the server closes a connection whose client hung up");
    }

    private async Task DrainAsync()
    {
        var stream = new List<byte>();
        byte[] buffer = new byte[65536];
        try
        {
            int read;
            while ((read = await _socket.ReceiveAsync(buffer)) > 0)
            {
                stream.AddRange(buffer.AsSpan(0, read));
                _answers.Parse(stream);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        if (stream.Count != 0)
        {
            _answers.Malformed($"{stream.Count} bytes after the last whole packet");
        }
    }
}
