namespace Kvm.Qmp.Client;

/// <summary>The monitor could not be reached, or the connection to it was lost.</summary>
public sealed class QmpConnectionException : IOException
{
    public QmpConnectionException(string message)
        : base(message)
    {
    }

    public QmpConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
