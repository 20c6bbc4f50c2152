using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Kvm.Qmp.Server;

/// <summary>
/// A monitor address as QEMU's -qmp takes it: <c>unix:PATH,server[,...]</c> or
/// <c>tcp:127.0.0.1:PORT,server[,...]</c> (loopback only; port 0 picks a free port). A comma in the path is
/// written twice, as QEMU's option syntax has it.
/// </summary>
public sealed record QmpAddress(QmpAddressKind Kind, string Path, IPEndPoint? TcpEndPoint)
{
    public static QmpAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text, out QmpAddress? address, out string? error))
        {
            ThrowHelper.ThrowFormat(error);
        }

        return address;
    }

    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out QmpAddress? address, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        address = null;
        List<string> parts = SplitOptions(text ?? string.Empty);
        string target = parts[0];
        if (!parts.Skip(1).Any(p => p is "server" or "server=on"))
        {
            error = $"Monitor address '{text}' must be a listening server (',server')";
            return false;
        }

        if (target.StartsWith("unix:", StringComparison.Ordinal) && target.Length > 5)
        {
            address = new QmpAddress(QmpAddressKind.Unix, target[5..], null);
            error = null;
            return true;
        }

        if (target.StartsWith("tcp:", StringComparison.Ordinal))
        {
            string hostPort = target[4..];
            int colon = hostPort.LastIndexOf(':');
            if (colon > 0
                && int.TryParse(hostPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port)
                && port <= 65535)
            {
                string host = hostPort[..colon].Trim('[', ']');
                IPAddress? ip = host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out IPAddress? parsed) ? parsed : null;
                if (ip is not null && IPAddress.IsLoopback(ip))
                {
                    address = new QmpAddress(QmpAddressKind.Tcp, string.Empty, new IPEndPoint(ip, port));
                    error = null;
                    return true;
                }

                error = $"Monitor address '{text}' must be on loopback";
                return false;
            }
        }

        error = $"Monitor address '{text}' is not unix:PATH,server or tcp:127.0.0.1:PORT,server";
        return false;
    }

    /// <summary>The <c>-qmp</c> argument for a Unix socket path, its commas doubled as QEMU's option syntax wants.</summary>
    public static string UnixServer(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return "unix:" + path.Replace(",", ",,", StringComparison.Ordinal) + ",server";
    }

    /// <summary>The address and its options, split at single commas; ",," stands for a comma (QEMU's escape).</summary>
    public static List<string> SplitOptions(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = new List<string>();
        var current = new System.Text.StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != ',')
            {
                current.Append(text[i]);
            }
            else if (i + 1 < text.Length && text[i + 1] == ',')
            {
                current.Append(',');
                i++;
            }
            else
            {
                parts.Add(current.ToString());
                current.Clear();
            }
        }

        parts.Add(current.ToString());
        return parts;
    }

    internal EndPoint ToEndPoint() => Kind == QmpAddressKind.Unix ? new UnixDomainSocketEndPoint(Path) : TcpEndPoint!;
}
