namespace Kvm.Qmp.Schema;

public sealed class QmpArrayType : QmpType
{
    public QmpArrayType(QmpType elementType)
        : base("[" + elementType.Name + "]")
    {
        ElementType = elementType;
    }

    public QmpType ElementType { get; }
}
