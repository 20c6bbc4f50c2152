namespace Kvm.DBus;

/// <summary>Standard error names, as dbus-daemon, libdbus and GDBus send them.</summary>
public static class DBusErrorNames
{
    public const string Failed = "org.freedesktop.DBus.Error.Failed";
    public const string NoReply = "org.freedesktop.DBus.Error.NoReply";
    public const string UnknownObject = "org.freedesktop.DBus.Error.UnknownObject";
    public const string UnknownInterface = "org.freedesktop.DBus.Error.UnknownInterface";
    public const string UnknownMethod = "org.freedesktop.DBus.Error.UnknownMethod";
    public const string UnknownProperty = "org.freedesktop.DBus.Error.UnknownProperty";
    public const string PropertyReadOnly = "org.freedesktop.DBus.Error.PropertyReadOnly";
    public const string InvalidArgs = "org.freedesktop.DBus.Error.InvalidArgs";
    public const string NotSupported = "org.freedesktop.DBus.Error.NotSupported";
    public const string ServiceUnknown = "org.freedesktop.DBus.Error.ServiceUnknown";
    public const string Disconnected = "org.freedesktop.DBus.Error.Disconnected";
}
