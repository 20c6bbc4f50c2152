using System.Net.Sockets;
using Kvm.Vmm.Devices;
using Kvm.Vmm.Interop;
using NLog;

namespace Kvm.Vmm.Launch;

/// <summary>
/// COM1 on a Unix socket, as libvirt's <c>&lt;serial type='unix'&gt;</c> asks QEMU for it: mode='bind' is
/// <c>-chardev socket,path=P,server=on,wait=off</c> (kvm-vmm listens; output is dropped while no client is connected),
/// mode='connect' is <c>-chardev socket,path=P</c> (kvm-vmm connects at start, once; output is dropped after the server
/// goes away). Bytes go both ways; the client's reach the guest through <see cref="Receive"/> (ConsoleInput's pump).
/// </summary>
/// <remarks>
/// One client at a time, as QEMU: the listen backlog is 1 and the next client is accepted only when the current one
/// has gone, so a second client waits (in the backlog) rather than being refused or taking over.
/// </remarks>
internal sealed class UnixSocketSerial : ISerialSink, IDisposable
{
    private const int SendWaitMilliseconds = 100;
    private const int ReceiveWaitMicroseconds = 200_000;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Lock _gate = new();
    private readonly Socket? _listener;
    private Socket? _client;
    private volatile bool _disposed;

    private UnixSocketSerial(string path, Socket? listener, Socket? client)
    {
        Path = path;
        _listener = listener;
        _client = client;
    }

    public string Path { get; }

    /// <summary>True for mode='bind' (kvm-vmm listens), false for mode='connect'.</summary>
    public bool IsServer => _listener is not null;

    public bool Connected
    {
        get
        {
            lock (_gate)
            {
                return _client is not null;
            }
        }
    }

    /// <summary>QEMU's query-chardev filename: "unix:P,server=on" with a client, "disconnected:unix:P,server=on" without.</summary>
    public string QemuFilename => $"{(Connected ? string.Empty : "disconnected:")}unix:{Path}{(IsServer ? ",server=on" : string.Empty)}";

    /// <summary>
    /// Listens on <paramref name="path"/>. A stale socket file there (nobody listening) is replaced; a live one, or a
    /// file that is not a socket, is refused.
    /// </summary>
    public static UnixSocketSerial Listen(string path)
    {
        var endpoint = EndPointFor(path, "listen on");
        if (Stat.IsSocket(path))
        {
            if (SomeoneListens(endpoint))
            {
                throw new LaunchException($"cannot listen on {path} for the serial console: another process is listening there");
            }

            Delete(path);
        }
        else if (File.Exists(path) || Directory.Exists(path))
        {
            throw new LaunchException($"cannot listen on {path} for the serial console: it exists and is not a socket");
        }

        int fd = HostIo.BoundUnixSocket(path, out int errno);
        if (fd < 0)
        {
            throw new LaunchException($"cannot listen on {path} for the serial console: {Libc.ErrorText(errno)}");
        }

        var listener = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        try
        {
            listener.Listen(1);
            listener.Blocking = false; // Accept after a poll must not block if the client gave up in between
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new LaunchException($"cannot listen on {path} for the serial console: {e.Message}");
        }

        s_log.Info("Serial console listening on {Path}", path);
        return new UnixSocketSerial(path, listener, client: null);
    }

    /// <summary>Connects to a server listening on <paramref name="path"/>.</summary>
    public static UnixSocketSerial Connect(string path)
    {
        var endpoint = EndPointFor(path, "connect to");
        if (!File.Exists(path))
        {
            // The runtime reports a missing socket file as "Cannot assign requested address".
            throw new LaunchException($"cannot connect to {path} for the serial console: {Libc.ErrorText(Libc.ENoEnt)}");
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(endpoint);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new LaunchException($"cannot connect to {path} for the serial console: {e.Message}");
        }

        return new UnixSocketSerial(path, listener: null, socket);
    }

    /// <summary>The guest's output: to the client, or dropped while there is none.</summary>
    public int Write(ReadOnlySpan<byte> data)
    {
        var client = Current();
        if (client is null)
        {
            return data.Length;
        }

        try
        {
            int events = HostIo.Poll(client.SafeHandle, HostIo.PollOut, SendWaitMilliseconds, out int errno);
            if (events < 0 || (events & (HostIo.PollHup | HostIo.PollErr)) != 0)
            {
                Drop(client);
                return data.Length;
            }

            if ((events & HostIo.PollOut) == 0)
            {
                return 0; // the client has not read what it was sent: hold the rest (back-pressure)
            }

            long sent = HostIo.Send(client.SafeHandle, data, out errno);
            if (sent >= 0)
            {
                return (int)sent;
            }

            if (errno is Libc.EAgain or Libc.EIntr)
            {
                return 0;
            }

            Drop(client); // EPIPE, ECONNRESET: the client went away
            return data.Length;
        }
        catch (ObjectDisposedException)
        {
            return data.Length; // dropped by the input side meanwhile
        }
    }

    /// <summary>
    /// What the client sends, for the guest: waits for a client (accepting one when listening) and for its bytes.
    /// Returns 0 at the end: disposed, or (mode='connect') the server went away.
    /// </summary>
    public int Receive(Span<byte> buffer)
    {
        while (!_disposed)
        {
            var client = Current() ?? Accept();
            if (client is null)
            {
                if (_listener is null)
                {
                    return 0;
                }

                continue;
            }

            try
            {
                if (!client.Poll(ReceiveWaitMicroseconds, SelectMode.SelectRead))
                {
                    continue;
                }

                int read = client.Receive(buffer, SocketFlags.None, out SocketError error);
                if (read > 0)
                {
                    return read;
                }

                if (error is SocketError.WouldBlock or SocketError.Interrupted)
                {
                    continue;
                }

                Drop(client); // end of stream or an error: the client went away
            }
            catch (ObjectDisposedException)
            {
                // dropped by the output side meanwhile
            }
        }

        return 0;
    }

    /// <summary>Closes the client and the listener and removes the socket file.</summary>
    public void Dispose()
    {
        Socket? client;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            client = _client;
            _client = null;
        }

        client?.Dispose();
        if (_listener is not null)
        {
            _listener.Dispose();
            try
            {
                if (Stat.IsSocket(Path))
                {
                    File.Delete(Path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                s_log.Warn("Cannot remove the serial console socket {Path}: {Error}", Path, e.Message);
            }
        }
    }

    private Socket? Current()
    {
        lock (_gate)
        {
            return _client;
        }
    }

    /// <summary>Waits a little for a client on the listener; null when none came (or there is no listener).</summary>
    private Socket? Accept()
    {
        if (_listener is null)
        {
            return null;
        }

        Socket accepted;
        try
        {
            if (!_listener.Poll(ReceiveWaitMicroseconds, SelectMode.SelectRead))
            {
                return null;
            }

            accepted = _listener.Accept();
        }
        catch (SocketException)
        {
            return null; // the client gave up before it was accepted
        }
        catch (ObjectDisposedException)
        {
            return null; // closing
        }

        lock (_gate)
        {
            if (!_disposed)
            {
                _client = accepted;
                s_log.Info("Serial console client connected on {Path}", Path);
                return accepted;
            }
        }

        accepted.Dispose();
        return null;
    }

    private void Drop(Socket client)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_client, client))
            {
                return;
            }

            _client = null;
        }

        s_log.Info("Serial console client disconnected from {Path}", Path);
        client.Dispose();
    }

    private static UnixDomainSocketEndPoint EndPointFor(string path, string verb)
    {
        try
        {
            return new UnixDomainSocketEndPoint(path);
        }
        catch (ArgumentException)
        {
            throw new LaunchException($"cannot {verb} {path} for the serial console: not a usable Unix socket path (at most 107 bytes)");
        }
    }

    private static bool SomeoneListens(UnixDomainSocketEndPoint endpoint)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(endpoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LaunchException($"cannot replace the stale socket {path} for the serial console: {e.Message}");
        }
    }
}
