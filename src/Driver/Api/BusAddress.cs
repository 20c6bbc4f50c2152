using System.Globalization;
using System.Text;

namespace Kvm.Driver.Api;

/// <summary>
/// Which bus kvmd serves and kvmctl calls. The system bus is Tmds's <see cref="Tmds.DBus.Protocol.DBusAddress.System"/>
/// (DBUS_SYSTEM_BUS_ADDRESS, else the specification's socket). The session bus is chosen here rather than by Tmds,
/// whose fallback asks an X server: DBUS_SESSION_BUS_ADDRESS, else systemd's per-user bus socket
/// ($XDG_RUNTIME_DIR/bus) when it exists, else none.
/// </summary>
public static class BusAddress
{
    public static string? System => Tmds.DBus.Protocol.DBusAddress.System;

    public static string? Session
    {
        get
        {
            string? address = Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS");
            if (!string.IsNullOrEmpty(address))
            {
                return address;
            }
            string? runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
            return !string.IsNullOrEmpty(runtime) && File.Exists(Path.Combine(runtime, "bus")) ? "unix:path=" + Escape(Path.Combine(runtime, "bus")) : null;
        }
    }

    /// <summary>A D-Bus address value: bytes outside [-0-9A-Za-z_/.\\*] as %XX (the specification's "Server Addresses").</summary>
    private static string Escape(string value)
    {
        var sb = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'/' or (byte)'.' or (byte)'\\' or (byte)'*')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append(b.ToString("x2", CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }
}
