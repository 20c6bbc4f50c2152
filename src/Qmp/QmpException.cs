namespace Kvm.Qmp;

/// <summary>A QMP command failed; the server answers with <c>{"error": {"class": Class, "desc": Message}}</c>.</summary>
public sealed class QmpException : Exception
{
    public QmpException(QmpErrorClass errorClass, string desc)
        : base(desc)
    {
        ErrorClass = errorClass;
    }

    public QmpException(QmpErrorClass errorClass, string desc, Exception innerException)
        : base(desc, innerException)
    {
        ErrorClass = errorClass;
    }

    public QmpErrorClass ErrorClass { get; }
}
