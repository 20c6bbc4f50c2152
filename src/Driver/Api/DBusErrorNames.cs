namespace Kvm.Driver.Api;

/// <summary>The standard D-Bus error names kvmd answers with and kvmctl recognises (D-Bus specification, "Message Bus Messages").</summary>
public static class DBusErrorNames
{
    public const string Failed = "org.freedesktop.DBus.Error.Failed";
    public const string InvalidArgs = "org.freedesktop.DBus.Error.InvalidArgs";
    public const string UnknownMethod = "org.freedesktop.DBus.Error.UnknownMethod";
    public const string UnknownObject = "org.freedesktop.DBus.Error.UnknownObject";
    public const string ServiceUnknown = "org.freedesktop.DBus.Error.ServiceUnknown";
    public const string NameHasNoOwner = "org.freedesktop.DBus.Error.NameHasNoOwner";
    public const string NoReply = "org.freedesktop.DBus.Error.NoReply";
}
