namespace Kvm.Qmp.Schema;

public sealed class QmpObjectType : QmpType
{
    public QmpObjectType(string name, params QmpMember[] members)
        : base(name)
    {
        Members = members;
    }

    /// <summary>The empty object (QEMU's q_empty, masked as "0"): arguments of commands without any.</summary>
    public static QmpObjectType Empty { get; } = new("q_empty");

    public IReadOnlyList<QmpMember> Members { get; }
}
