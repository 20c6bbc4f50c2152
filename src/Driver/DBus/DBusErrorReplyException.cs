namespace Kvm.DBus;

/// <summary>A peer answered a method call with an ERROR message.</summary>
public sealed class DBusErrorReplyException : DBusException
{
    public DBusErrorReplyException(string errorName, string? errorMessage)
        : base(errorMessage is null ? errorName : $"{errorName}: {errorMessage}")
    {
        ErrorName = errorName;
        ErrorMessage = errorMessage;
    }

    /// <summary>The D-Bus error name, such as <c>org.freedesktop.DBus.Error.UnknownMethod</c>.</summary>
    public string ErrorName { get; }

    /// <summary>The first string argument of the error, when it has one.</summary>
    public string? ErrorMessage { get; }
}
