namespace Kvm.DBus.Protocol;

public ref partial struct MessageWriter
{
    /// <summary>An <c>as</c>.</summary>
    public void WriteArray(scoped ReadOnlySpan<string> values)
    {
        ArrayStart start = WriteArrayStart(DBusType.String);
        foreach (string value in values)
        {
            WriteString(value);
        }
        WriteArrayEnd(start);
    }

    /// <summary>An <c>a{sv}</c> from keys and values of any type.</summary>
    public void WriteDictionaryOfStringToVariant(IEnumerable<KeyValuePair<string, DBusValue>> entries)
    {
        ArrayStart start = WriteArrayStart(DBusType.DictEntry);
        foreach ((string key, DBusValue value) in entries)
        {
            WriteDictEntryStart();
            WriteString(key);
            WriteVariant(value);
        }
        WriteArrayEnd(start);
    }
}
