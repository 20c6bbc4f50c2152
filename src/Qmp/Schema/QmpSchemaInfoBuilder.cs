using System.Text.Json.Nodes;

namespace Kvm.Qmp.Schema;

/// <summary>
/// Produces query-qmp-schema's SchemaInfo array from our own definitions, in QEMU's shape: built-in
/// names kept, other type names masked to numbers ("0" is the empty object), arrays named "[N]",
/// optional members with <c>"default": null</c>, and QEMU's member order in every entry.
/// </summary>
/// <remarks>Nodes are added as <see cref="JsonNode"/>: JsonArray's generic <c>Add&lt;T&gt;</c> is not trim- or AOT-safe.</remarks>
public sealed class QmpSchemaInfoBuilder
{
    private readonly Dictionary<QmpType, string> _masked = new(ReferenceEqualityComparer.Instance);
    private readonly List<QmpType> _pending = [];
    private readonly HashSet<string> _arrays = [];
    private readonly JsonArray _entries = [];

    public QmpSchemaInfoBuilder()
    {
        Mask(QmpObjectType.Empty);
    }

    public void AddCommand(string name, QmpObjectType arguments, QmpType returns, bool allowOob)
    {
        string argType = Mask(arguments);
        var entry = new JsonObject { ["name"] = name, ["ret-type"] = Mask(returns) };
        if (allowOob)
        {
            entry["allow-oob"] = true;
        }

        entry["meta-type"] = "command";
        entry["arg-type"] = argType;
        _entries.Add((JsonNode)entry);
    }

    public void AddEvent(string name, QmpObjectType data)
    {
        _entries.Add((JsonNode)new JsonObject { ["name"] = name, ["meta-type"] = "event", ["arg-type"] = Mask(data) });
    }

    /// <summary>Appends every referenced type (transitively) and returns the whole array.</summary>
    public JsonArray Build()
    {
        for (int i = 0; i < _pending.Count; i++)
        {
            _entries.Add((JsonNode)Describe(_pending[i]));
        }

        return _entries;
    }

    private JsonObject Describe(QmpType type)
    {
        string name = _masked[type];
        switch (type)
        {
            case QmpBuiltinType builtin:
                return new JsonObject { ["name"] = name, ["json-type"] = builtin.JsonType, ["meta-type"] = "builtin" };
            case QmpEnumType enumType:
                var members = new JsonArray();
                var values = new JsonArray();
                foreach (string value in enumType.Values)
                {
                    members.Add((JsonNode)new JsonObject { ["name"] = value });
                    values.Add((JsonNode)JsonValue.Create(value));
                }

                return new JsonObject { ["name"] = name, ["members"] = members, ["meta-type"] = "enum", ["values"] = values };
            case QmpArrayType array:
                return new JsonObject { ["name"] = name, ["element-type"] = Mask(array.ElementType), ["meta-type"] = "array" };
            case QmpObjectType objectType:
                var objectMembers = new JsonArray();
                foreach (QmpMember member in objectType.Members)
                {
                    var entry = new JsonObject { ["name"] = member.Name };
                    if (member.Optional)
                    {
                        entry["default"] = null;
                    }

                    entry["type"] = Mask(member.Type);
                    objectMembers.Add((JsonNode)entry);
                }

                return new JsonObject { ["name"] = name, ["members"] = objectMembers, ["meta-type"] = "object" };
            default:
                ThrowHelper.ThrowInvalidOperation("Unknown schema type");
                return null;
        }
    }

    private string Mask(QmpType type)
    {
        if (_masked.TryGetValue(type, out string? masked))
        {
            return masked;
        }

        masked = type switch
        {
            QmpBuiltinType builtin => builtin.Name,
            QmpArrayType array => "[" + Mask(array.ElementType) + "]",
            _ => _masked.Count(p => p.Key is not (QmpBuiltinType or QmpArrayType)).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        _masked[type] = masked;
        if (type is not QmpArrayType || _arrays.Add(masked))
        {
            // Two array instances of one element type are one schema entry, as in QEMU.
            _pending.Add(type);
        }

        return masked;
    }
}
