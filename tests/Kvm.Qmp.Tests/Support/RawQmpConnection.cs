using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kvm.Qmp.Tests.Support;

/// <summary>A byte-level client for tests: sends raw bytes, reads <c>\r\n</c>-terminated messages.</summary>
internal sealed class RawQmpConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly List<byte> _pending = [];

    private RawQmpConnection(Socket socket)
    {
        _socket = socket;
    }

    public static async Task<RawQmpConnection> ConnectAsync(EndPoint endPoint)
    {
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint);
        return new RawQmpConnection(socket);
    }

    public Task SendAsync(string latin1) => SendAsync(Encoding.Latin1.GetBytes(latin1));

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>The next message without its terminator, or null on EOF or timeout.</summary>
    public async Task<string?> ReadAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        byte[] buffer = new byte[65536];
        while (true)
        {
            int end = IndexOfCrLf();
            if (end >= 0)
            {
                string message = Encoding.Latin1.GetString(_pending.GetRange(0, end).ToArray());
                _pending.RemoveRange(0, end + 2);
                return message;
            }

            int read;
            try
            {
                read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            if (read == 0)
            {
                return null;
            }

            _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    /// <summary>True when the server closed the connection (EOF) within the timeout.</summary>
    public async Task<bool> IsClosedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            byte[] buffer = new byte[1];
            return await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public void Dispose() => _socket.Dispose();

    private int IndexOfCrLf()
    {
        for (int i = 0; i + 1 < _pending.Count; i++)
        {
            if (_pending[i] == '\r' && _pending[i + 1] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
