namespace Kvm.Qmp.Schema;

public sealed class QmpEnumType : QmpType
{
    public QmpEnumType(string name, params string[] values)
        : base(name)
    {
        Values = values;
    }

    public IReadOnlyList<string> Values { get; }
}
