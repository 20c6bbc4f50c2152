using System.Net.Sockets;
using Kvm.DBus.Auth;
using NLog;

namespace Kvm.DBus.Transport;

/// <summary>Connects to the first reachable alternative of an address and authenticates.</summary>
public static class UnixSocketConnector
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    /// <summary>How long each step of the authentication handshake may take.</summary>
    public static TimeSpan AuthenticationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public static async Task<UnixSocketMessageStream> ConnectAsync(string address, CancellationToken cancellationToken)
    {
        IReadOnlyList<DBusAddress> alternatives = DBusAddress.Parse(address);
        var failures = new List<Exception>();
        foreach (DBusAddress alternative in alternatives)
        {
            string? endpoint = alternative.Transport switch
            {
                "unix" when alternative["path"] is { } path => path,
                "unix" when alternative["abstract"] is { } name => "\0" + name,
                _ => null,
            };
            if (endpoint is null)
            {
                failures.Add(new NotSupportedException($"Address '{alternative.Transport}' with {string.Join(",", alternative.Properties.Keys)} is not supported"));
                continue;
            }
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await Task.Run(() =>
                {
                    socket.Connect(new UnixDomainSocketEndPoint(endpoint));
                    return 0;
                }, cancellationToken).ConfigureAwait(false);
                // A server that never answers must not hang us: bound each blocking read of the handshake.
                socket.ReceiveTimeout = (int)AuthenticationTimeout.TotalMilliseconds;
                SaslResult auth = await Task.Run(() => SaslExternalClient.Authenticate(socket, negotiateUnixFds: true), cancellationToken).ConfigureAwait(false);
                socket.ReceiveTimeout = 0;
                s_log.Debug("Connected to {Endpoint}", endpoint.TrimStart('\0'));
                return new UnixSocketMessageStream(socket, auth.UnixFdsAgreed);
            }
            catch (Exception e) when (e is SocketException or DBusConnectionException)
            {
                socket.Dispose();
                failures.Add(e);
            }
        }
        throw new DBusConnectionException($"Cannot connect to '{address}'", failures.Count == 1 ? failures[0] : new AggregateException(failures));
    }
}
