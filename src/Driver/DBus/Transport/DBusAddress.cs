using System.Text;

namespace Kvm.DBus.Transport;

/// <summary>
/// One alternative of a D-Bus address (specification, "Server Addresses"): a transport name and its
/// key=value properties, values %-unescaped. An address string lists alternatives separated by ';'.
/// </summary>
public sealed record DBusAddress(string Transport, IReadOnlyDictionary<string, string> Properties)
{
    public const string SystemBusDefault = "unix:path=/run/dbus/system_bus_socket";

    public string? this[string key] => Properties.TryGetValue(key, out string? value) ? value : null;

    /// <summary>Parses every alternative of <paramref name="address"/>; throws <see cref="FormatException"/> when malformed.</summary>
    public static IReadOnlyList<DBusAddress> Parse(string address)
    {
        var result = new List<DBusAddress>();
        foreach (string alternative in address.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = alternative.IndexOf(':');
            if (colon <= 0)
            {
                throw new FormatException($"Address '{alternative}' has no transport name");
            }
            var properties = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string pair in alternative[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = pair.IndexOf('=');
                if (eq <= 0)
                {
                    throw new FormatException($"Address property '{pair}' is not key=value");
                }
                if (!properties.TryAdd(pair[..eq], Unescape(pair[(eq + 1)..])))
                {
                    throw new FormatException($"Address property '{pair[..eq]}' repeated");
                }
            }
            result.Add(new DBusAddress(alternative[..colon], properties));
        }
        return result;
    }

    /// <summary>DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus when that socket exists, else null.</summary>
    public static string? GetSessionBusAddress()
    {
        string? address = Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS");
        if (!string.IsNullOrEmpty(address))
        {
            return address;
        }
        string? runtimeDir = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(runtimeDir) && File.Exists(Path.Combine(runtimeDir, "bus")))
        {
            return "unix:path=" + Escape(Path.Combine(runtimeDir, "bus"));
        }
        return null;
    }

    /// <summary>DBUS_SYSTEM_BUS_ADDRESS, else the specification's default socket.</summary>
    public static string GetSystemBusAddress()
    {
        string? address = Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS");
        return string.IsNullOrEmpty(address) ? SystemBusDefault : address;
    }

    /// <summary>Escapes a value: bytes outside [-0-9A-Za-z_/.\*] become %XX of their UTF-8 encoding.</summary>
    public static string Escape(string value)
    {
        var sb = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '/' or '.' or '\\' or '*')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("x2"));
            }
        }
        return sb.ToString();
    }

    private static string Unescape(string value)
    {
        if (!value.Contains('%'))
        {
            return value;
        }
        var bytes = new List<byte>(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '%')
            {
                if (i + 2 >= value.Length || !byte.TryParse(value.AsSpan(i + 1, 2), System.Globalization.NumberStyles.HexNumber, null, out byte b))
                {
                    throw new FormatException($"Bad %-escape in '{value}'");
                }
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value[i].ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
