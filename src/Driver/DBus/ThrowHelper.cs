using System.Diagnostics.CodeAnalysis;

namespace Kvm.DBus;

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowRead(string what, int offset) => throw new DBusReadException(what, offset);

    [DoesNotReturn]
    public static T ThrowRead<T>(string what, int offset) => throw new DBusReadException(what, offset);

    /// <summary>A message being written would break a limit of the specification.</summary>
    [DoesNotReturn]
    public static void ThrowLimit(string message) => throw new DBusException(message);

    [DoesNotReturn]
    public static void ThrowArgument(string message, string paramName) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [DoesNotReturn]
    public static void ThrowDisconnected(Exception? inner) => throw new DBusConnectionException("Connection closed", inner);
}
