namespace Kvm.DBus;

/// <summary>The base of every exception the D-Bus library throws.</summary>
public class DBusException : Exception
{
    public DBusException(string message) : base(message) { }

    public DBusException(string message, Exception? innerException) : base(message, innerException) { }
}
