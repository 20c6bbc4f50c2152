using System.Net.Sockets;
using System.Text;
using Kvm.DBus.Interop;
using NLog;

namespace Kvm.DBus.Auth;

/// <summary>
/// The client side of the authentication protocol (specification, "Authentication Protocol"): the NUL byte,
/// AUTH EXTERNAL with the effective uid in hex, optionally NEGOTIATE_UNIX_FD, then BEGIN.
/// </summary>
public static class SaslExternalClient
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private const int MaxLineLength = 16 * 1024;

    /// <summary>Authenticates over a connected, blocking socket. Throws <see cref="DBusConnectionException"/> when refused.</summary>
    public static SaslResult Authenticate(Socket socket, bool negotiateUnixFds)
    {
        string uid = LibC.geteuid().ToString(System.Globalization.CultureInfo.InvariantCulture);
        string hexUid = Convert.ToHexStringLower(Encoding.ASCII.GetBytes(uid));
        socket.Send([0]);
        Send(socket, $"AUTH EXTERNAL {hexUid}");
        string reply = ReadLine(socket);
        if (!reply.StartsWith("OK ", StringComparison.Ordinal))
        {
            throw new DBusConnectionException($"Authentication refused: {reply}");
        }
        string guid = reply[3..].Trim();
        bool fds = false;
        if (negotiateUnixFds)
        {
            Send(socket, "NEGOTIATE_UNIX_FD");
            reply = ReadLine(socket);
            fds = reply == "AGREE_UNIX_FD";
            if (!fds && !reply.StartsWith("ERROR", StringComparison.Ordinal))
            {
                throw new DBusConnectionException($"Unexpected answer to NEGOTIATE_UNIX_FD: {reply}");
            }
        }
        Send(socket, "BEGIN");
        s_log.Debug("Authenticated as uid {Uid}, server {Guid}, unix fds {UnixFds}", uid, guid, fds);
        return new SaslResult(guid, fds);
    }

    private static void Send(Socket socket, string line) => socket.Send(Encoding.ASCII.GetBytes(line + "\r\n"));

    // Byte by byte: after each command the server sends exactly one line, and nothing may be read past it.
    private static string ReadLine(Socket socket)
    {
        var sb = new StringBuilder();
        byte[] one = new byte[1];
        while (true)
        {
            int n;
            try
            {
                n = socket.Receive(one);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                throw new DBusConnectionException("No answer during authentication", e);
            }
            if (n == 0)
            {
                throw new DBusConnectionException("Connection closed during authentication");
            }
            if (one[0] == '\n' && sb.Length > 0 && sb[^1] == '\r')
            {
                return sb.ToString(0, sb.Length - 1);
            }
            if (sb.Length >= MaxLineLength)
            {
                throw new DBusConnectionException("Authentication line too long");
            }
            sb.Append((char)one[0]);
        }
    }
}
