namespace Kvm.DBus;

/// <summary>Connecting, authenticating or staying connected failed; also thrown to pending calls when the connection is lost.</summary>
public sealed class DBusConnectionException : DBusException
{
    public DBusConnectionException(string message) : base(message) { }

    public DBusConnectionException(string message, Exception? innerException) : base(message, innerException) { }
}
