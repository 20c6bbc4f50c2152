using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kvm.Qmp.Schema;

/// <summary>
/// Checks command arguments against a command's argument type before they are deserialised, with the
/// messages of QEMU's QObject input visitor: members in declaration order (missing or ill-typed), then
/// members the type does not have.
/// </summary>
public static class QmpArgumentChecker
{
    /// <summary>Null when the arguments are acceptable, else QEMU's GenericError description.</summary>
    public static string? Check(QmpObjectType type, JsonObject? arguments)
    {
        ArgumentNullException.ThrowIfNull(type);
        return CheckObject(type, arguments ?? [], prefix: null);
    }

    private static string? CheckObject(QmpObjectType type, JsonObject value, string? prefix)
    {
        foreach (QmpMember member in type.Members)
        {
            string fullName = prefix is null ? member.Name : prefix + "." + member.Name;
            if (!value.TryGetPropertyValue(member.Name, out JsonNode? node))
            {
                if (!member.Optional)
                {
                    return $"Parameter '{fullName}' is missing";
                }

                continue;
            }

            string? error = CheckValue(member.Type, node, fullName, fullName);
            if (error is not null)
            {
                return error;
            }
        }

        foreach (KeyValuePair<string, JsonNode?> property in value)
        {
            if (!type.Members.Any(m => m.Name == property.Key))
            {
                string fullName = prefix is null ? property.Key : prefix + "." + property.Key;
                return $"Parameter '{fullName}' is unexpected";
            }
        }

        return null;
    }

    /// <param name="enumName">The name in "does not accept value": QEMU 7.2 says 'null' for list elements.</param>
    private static string? CheckValue(QmpType type, JsonNode? node, string fullName, string enumName)
    {
        JsonValueKind kind = node?.GetValueKind() ?? JsonValueKind.Null;
        switch (type)
        {
            case QmpBuiltinType builtin:
                return CheckBuiltin(builtin, node, kind, fullName);
            case QmpEnumType enumType:
                if (kind != JsonValueKind.String)
                {
                    return Invalid(fullName, "string");
                }

                string text = node!.GetValue<string>();
                return enumType.Values.Contains(text) ? null : $"Parameter '{enumName}' does not accept value '{text}'";
            case QmpArrayType array:
                if (kind != JsonValueKind.Array)
                {
                    return Invalid(fullName, "array");
                }

                JsonArray elements = node!.AsArray();
                for (int i = 0; i < elements.Count; i++)
                {
                    string? error = CheckValue(array.ElementType, elements[i], $"{fullName}[{i}]", "null");
                    if (error is not null)
                    {
                        return error;
                    }
                }

                return null;
            case QmpObjectType objectType:
                return kind == JsonValueKind.Object ? CheckObject(objectType, node!.AsObject(), fullName) : Invalid(fullName, "object");
            default:
                return null;
        }
    }

    private static string? CheckBuiltin(QmpBuiltinType type, JsonNode? node, JsonValueKind kind, string fullName)
    {
        if (ReferenceEquals(type, QmpBuiltinType.Any))
        {
            return null;
        }

        bool ok = type.JsonType switch
        {
            "string" => kind == JsonValueKind.String,
            "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
            "number" => kind == JsonValueKind.Number,
            "int" => kind == JsonValueKind.Number && IsInteger(node!),
            "null" => kind == JsonValueKind.Null,
            _ => true,
        };
        return ok ? null : Invalid(fullName, type.Expected);
    }

    private static bool IsInteger(JsonNode node) => node.AsValue().TryGetValue(out long _);

    private static string Invalid(string fullName, string expected) => $"Invalid parameter type for '{fullName}', expected: {expected}";
}
