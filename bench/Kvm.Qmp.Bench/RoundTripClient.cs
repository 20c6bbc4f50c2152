using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Kvm.Qmp.Bench;

/// <summary>
/// The one client both servers are measured with: a blocking Unix socket, requests written as
/// QEMU's own clients do, replies split on <c>\r\n</c>. Nothing of our library is on this side.
/// </summary>
internal sealed class RoundTripClient : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public RoundTripClient(string path)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                _socket.Connect(new UnixDomainSocketEndPoint(path));
                break;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(20);
            }
        }

        ReadLine(); // greeting
        Send("{\"execute\": \"qmp_capabilities\"}\n");
        ReadLine();
    }

    /// <summary>Sequential round trips; fills <paramref name="latenciesTicks"/> with Stopwatch ticks per request.</summary>
    public void Measure(long[] latenciesTicks)
    {
        byte[] request = Encoding.ASCII.GetBytes("{\"execute\": \"query-status\", \"id\": 1}\n");
        for (int i = 0; i < latenciesTicks.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            _socket.Send(request);
            string reply = ReadLine();
            latenciesTicks[i] = Stopwatch.GetTimestamp() - start;
            if (!reply.StartsWith("{\"return\": {\"status\"", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("Unexpected reply: " + reply);
            }
        }
    }

    /// <summary>Pipelined: <paramref name="window"/> requests in flight; returns the elapsed seconds for <paramref name="count"/> replies.</summary>
    public double MeasurePipelined(int count, int window)
    {
        byte[] request = Encoding.ASCII.GetBytes("{\"execute\": \"query-status\", \"id\": 2}\n");
        long start = Stopwatch.GetTimestamp();
        int sent = 0;
        int received = 0;
        while (received < count)
        {
            while (sent < count && sent - received < window)
            {
                _socket.Send(request);
                sent++;
            }

            ReadLine();
            received++;
        }

        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public void Dispose() => _socket.Dispose();

    private void Send(string text) => _socket.Send(Encoding.ASCII.GetBytes(text));

    private string ReadLine()
    {
        while (true)
        {
            int crlf = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (crlf >= 0)
            {
                string line = Encoding.ASCII.GetString(_buffer, _start, crlf);
                _start += crlf + 2;
                return line;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            int read = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
            if (read == 0)
            {
                throw new InvalidOperationException("Server closed the connection");
            }

            _end += read;
        }
    }
}
