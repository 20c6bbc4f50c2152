namespace Kvm.Qmp.Schema;

/// <summary>A QAPI type as introspection shows it (SchemaInfo meta-types builtin, enum, array, object).</summary>
public abstract class QmpType
{
    private protected QmpType(string name)
    {
        Name = name;
    }

    /// <summary>Schema name; named (non-builtin) types are masked to numbers in query-qmp-schema, as QEMU does.</summary>
    public string Name { get; }
}
