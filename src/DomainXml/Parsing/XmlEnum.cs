namespace Kvm.DomainXml.Parsing;

/// <summary>The one table mapping an enum's members to their XML names, used by parser and formatter alike.</summary>
public sealed class XmlEnum<T>
    where T : struct, Enum
{
    private readonly Dictionary<string, T> _byName;
    private readonly Dictionary<T, string> _byValue;

    public XmlEnum(params (T Value, string Name)[] entries)
    {
        _byName = new Dictionary<string, T>(entries.Length, StringComparer.Ordinal);
        _byValue = new Dictionary<T, string>(entries.Length);
        foreach (var (value, name) in entries)
        {
            _byName.Add(name, value);
            _byValue.Add(value, name);
        }

        foreach (var value in Enum.GetValues<T>())
        {
            if (!_byValue.ContainsKey(value))
            {
                throw new InvalidOperationException($"{typeof(T).Name}.{value} has no XML name");
            }
        }
    }

    public IEnumerable<string> Names => _byName.Keys;

    public bool TryParse(string name, out T value) => _byName.TryGetValue(name, out value);

    public string ToXml(T value) => _byValue[value];
}
