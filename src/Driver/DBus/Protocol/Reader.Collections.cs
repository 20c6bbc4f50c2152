namespace Kvm.DBus.Protocol;

public ref partial struct Reader
{
    /// <summary>An <c>as</c>.</summary>
    public List<string> ReadArrayOfString()
    {
        var values = new List<string>();
        ArrayEnd end = ReadArrayStart(DBusType.String);
        while (HasNext(end))
        {
            values.Add(ReadString());
        }
        return values;
    }

    /// <summary>An <c>a{sv}</c>, the usual property bag; a repeated key keeps its last value.</summary>
    public Dictionary<string, DBusValue> ReadDictionaryOfStringToVariant()
    {
        var values = new Dictionary<string, DBusValue>(StringComparer.Ordinal);
        ArrayEnd end = ReadArrayStart(DBusType.DictEntry);
        while (HasNext(end))
        {
            AlignStruct();
            string key = ReadString();
            values[key] = ReadVariant().Items[0];
        }
        return values;
    }
}
