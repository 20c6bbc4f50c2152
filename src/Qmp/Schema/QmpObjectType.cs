namespace Kvm.Qmp.Schema;

public sealed class QmpObjectType : QmpType
{
    public QmpObjectType(string name, params QmpMember[] members)
        : base(name)
    {
        Members = members;
    }

    /// <summary>A type that refers to itself (ImageInfo's backing-image, BlockStats' parent): its members get the type.</summary>
    public QmpObjectType(string name, Func<QmpObjectType, QmpMember[]> members)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(members);
        Members = members(this);
    }

    /// <summary>The empty object (QEMU's q_empty, masked as "0"): arguments of commands without any.</summary>
    public static QmpObjectType Empty { get; } = new("q_empty");

    public IReadOnlyList<QmpMember> Members { get; }
}
