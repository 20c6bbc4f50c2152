using Tmds.DBus.Protocol;

namespace Kvm.Driver.Tests.Api;

/// <summary>
/// What a comparison looks at in a reply, values aside: its body signature and how deep each variant nests (so
/// libvirt-dbus's double wrapping shows as "v(v(i))"), or the error name and, where asked, the message. The body is
/// walked along its signature with Tmds's <see cref="Reader"/>.
/// </summary>
internal static class ReplyShape
{
    public static async Task<(string Shape, string? ErrorMessage)> CallAsync(DBusConnection client, string path, string @interface, string member,
        params Arg[] args)
    {
        string signature = string.Concat(args.Select(a => a.Signature));
        MessageBuffer call;
        MessageWriter writer = client.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader("org.libvirt", path, @interface, member, signature.Length == 0 ? null : signature);
            foreach (Arg arg in args)
            {
                arg.WriteTo(ref writer);
            }
            call = writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
        try
        {
            string shape = await client.CallMethodAsync(call, static (Message reply, object? _) =>
            {
                string replySignature = reply.SignatureAsString ?? "";
                Reader reader = reply.GetBodyReader();
                var values = new List<string>();
                int position = 0;
                while (position < replySignature.Length)
                {
                    values.Add(Describe(ref reader, replySignature, ref position));
                }
                return $"return {replySignature} {string.Join(" ", values)}".TrimEnd();
            });
            return (shape, null);
        }
        catch (DBusErrorReplyException e)
        {
            return ($"error {e.ErrorName}", e.ErrorMessage);
        }
    }

    /// <summary>Reads the value of the complete type at <paramref name="position"/> and describes it: a{sv} of double-wrapped ints → "a[{s:v(v(i))}]".</summary>
    private static string Describe(ref Reader reader, string signature, ref int position)
    {
        char type = signature[position++];
        switch (type)
        {
            case 'v':
                return $"v({Describe(reader.ReadVariantValue())})";
            case '(':
            {
                reader.AlignStruct();
                var fields = new List<string>();
                while (signature[position] != ')')
                {
                    fields.Add(Describe(ref reader, signature, ref position));
                }
                position++;
                return "(" + string.Join(",", fields) + ")";
            }
            case 'a':
            {
                int element = position;
                bool dict = signature[element] == '{';
                int end = SkipType(signature, element);
                ArrayEnd arrayEnd = dict ? reader.ReadDictionaryStart() : reader.ReadArrayStart(ElementType(signature[element]));
                var items = new List<string>();
                while (reader.HasNext(arrayEnd))
                {
                    int at = dict ? element + 1 : element;
                    if (dict)
                    {
                        string key = Describe(ref reader, signature, ref at);
                        items.Add("{" + key + ":" + Describe(ref reader, signature, ref at) + "}");
                    }
                    else
                    {
                        items.Add(Describe(ref reader, signature, ref at));
                    }
                }
                position = end;
                return items.Count > 0 ? "a[" + string.Join(",", items.Distinct()) + "]" : signature[(element - 1)..end] + "[]";
            }
            default:
                ReadBasic(ref reader, type);
                return type.ToString();
        }
    }

    private static string Describe(VariantValue value) => value.Type switch
    {
        VariantValueType.Variant => $"v({Describe(value.GetVariantValue())})",
        VariantValueType.Struct => "(" + string.Join(",", Enumerable.Range(0, value.Count).Select(i => Describe(value.GetItem(i)))) + ")",
        VariantValueType.Array when value.Count > 0 => "a[" + string.Join(",", Enumerable.Range(0, value.Count).Select(i => Describe(value.GetItem(i))).Distinct()) + "]",
        VariantValueType.Array => "a" + BasicSignature(value.ItemType) + "[]",
        VariantValueType.Dictionary when value.Count > 0 => "a[" + string.Join(",", Enumerable.Range(0, value.Count)
            .Select(i => value.GetDictionaryEntry(i)).Select(e => "{" + BasicSignature(e.Key.Type) + ":" + Describe(e.Value) + "}").Distinct()) + "]",
        VariantValueType.Dictionary => "a{" + BasicSignature(value.KeyType) + BasicSignature(value.ValueType) + "}[]",
        _ => BasicSignature(value.Type),
    };

    private static string BasicSignature(VariantValueType type) => type switch
    {
        VariantValueType.Byte => "y",
        VariantValueType.Bool => "b",
        VariantValueType.Int16 => "n",
        VariantValueType.UInt16 => "q",
        VariantValueType.Int32 => "i",
        VariantValueType.UInt32 => "u",
        VariantValueType.Int64 => "x",
        VariantValueType.UInt64 => "t",
        VariantValueType.Double => "d",
        VariantValueType.String => "s",
        VariantValueType.ObjectPath => "o",
        VariantValueType.Signature => "g",
        VariantValueType.UnixFd => "h",
        VariantValueType.Variant => "v",
        _ => type.ToString(),
    };

    private static void ReadBasic(ref Reader reader, char type)
    {
        switch (type)
        {
            case 'y': reader.ReadByte(); break;
            case 'b': reader.ReadBool(); break;
            case 'n': reader.ReadInt16(); break;
            case 'q': reader.ReadUInt16(); break;
            case 'i': reader.ReadInt32(); break;
            case 'u': reader.ReadUInt32(); break;
            case 'x': reader.ReadInt64(); break;
            case 't': reader.ReadUInt64(); break;
            case 'd': reader.ReadDouble(); break;
            case 's': reader.ReadString(); break;
            case 'o': reader.ReadObjectPath(); break;
            case 'g': reader.ReadSignature(); break;
            case 'h': reader.ReadHandleRaw(); break;
            default: throw new NotSupportedException($"Type '{type}' in a reply");
        }
    }

    private static DBusType ElementType(char type) => type switch
    {
        '(' => DBusType.Struct,
        '{' => DBusType.DictEntry,
        _ => (DBusType)type,
    };

    /// <summary>The position after the complete type starting at <paramref name="position"/>.</summary>
    private static int SkipType(string signature, int position)
    {
        char type = signature[position];
        if (type == 'a')
        {
            return SkipType(signature, position + 1);
        }
        if (type is '(' or '{')
        {
            int depth = 0;
            do
            {
                depth += signature[position] is '(' or '{' ? 1 : signature[position] is ')' or '}' ? -1 : 0;
                position++;
            }
            while (depth > 0);
            return position;
        }
        return position + 1;
    }
}
