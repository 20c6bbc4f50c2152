namespace Kvm.Qmp.Schema;

/// <summary>QAPI built-in types with their SchemaInfoBuiltin json-type.</summary>
public sealed class QmpBuiltinType : QmpType
{
    private QmpBuiltinType(string name, string jsonType, string expected)
        : base(name)
    {
        JsonType = jsonType;
        Expected = expected;
    }

    public static QmpBuiltinType Str { get; } = new("str", "string", "string");

    public static QmpBuiltinType Int { get; } = new("int", "int", "integer");

    public static QmpBuiltinType Bool { get; } = new("bool", "boolean", "boolean");

    public static QmpBuiltinType Number { get; } = new("number", "number", "number");

    public static QmpBuiltinType Any { get; } = new("any", "value", "any");

    public static QmpBuiltinType Null { get; } = new("null", "null", "null");

    public string JsonType { get; }

    /// <summary>The word in QEMU's "Invalid parameter type for 'x', expected: WORD".</summary>
    internal string Expected { get; }
}
