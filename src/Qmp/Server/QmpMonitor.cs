using System.Net;
using System.Net.Sockets;
using NLog;

namespace Kvm.Qmp.Server;

/// <summary>
/// One listening monitor (one -qmp option). Like QEMU it serves one client at a time: the next
/// connection waits in the listen backlog, receiving nothing, until the current client leaves.
/// </summary>
public sealed class QmpMonitor : IAsyncDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly QmpServer _server;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _acceptLoop;

    internal QmpMonitor(QmpServer server, QmpAddress address, string name)
    {
        _server = server;
        Address = address;
        Name = name;
        _listener = Bind(address);
        LocalEndPoint = _listener.LocalEndPoint!;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_cts.Token));
        s_log.Info("QMP monitor {Monitor} listening on {EndPoint}", name, LocalEndPoint);
    }

    public QmpAddress Address { get; }

    public string Name { get; }

    /// <summary>The bound endpoint (the real port when the address asked for port 0).</summary>
    public EndPoint LocalEndPoint { get; }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        _cts.Dispose();
        if (Address.Kind == QmpAddressKind.Unix && Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(Address.Path))))
        {
            File.Delete(Address.Path);
        }
    }

    private static Socket Bind(QmpAddress address)
    {
        Socket socket;
        if (address.Kind == QmpAddressKind.Unix)
        {
            if (File.Exists(address.Path))
            {
                File.Delete(address.Path);
            }

            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Bind(address.ToEndPoint());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(address.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        else
        {
            socket = new Socket(address.TcpEndPoint!.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(address.ToEndPoint());
        }

        socket.Listen(16);
        return socket;
    }

    private async Task AcceptLoopAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (client.ProtocolType == ProtocolType.Tcp)
            {
                client.NoDelay = true;
            }

            var session = new QmpSession(client, _server, Name, token);
            try
            {
                await session.RunAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug in one session must not take the monitor down: drop that client, serve the next.
                s_log.Error(e, "QMP session on {Monitor} failed", Name);
            }
        }
    }
}
