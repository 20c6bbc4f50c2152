namespace Kvm.DBus;

/// <summary>
/// Malformed wire data: a truncated or oversized message, an invalid signature, name or string,
/// a limit of the specification exceeded. <see cref="Offset"/> is where in the message or body it was found.
/// </summary>
public sealed class DBusReadException : DBusException
{
    public DBusReadException(string what, int offset)
        : base($"{what} at offset {offset}")
    {
        What = what;
        Offset = offset;
    }

    public string What { get; }

    public int Offset { get; }
}
