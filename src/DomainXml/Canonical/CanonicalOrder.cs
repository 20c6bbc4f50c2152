using System.Reflection;

namespace Kvm.DomainXml.Canonical;

/// <summary>
/// The order in which libvirt's formatter writes child elements and attributes, per element path. Derived from
/// documents libvirt itself formatted (tools/derive-canonical-order.py); one table, read once.
/// </summary>
public sealed class CanonicalOrder
{
    private static readonly Lazy<CanonicalOrder> s_root = new(Load);

    private readonly Dictionary<string, int> _childRanks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _attributeRanks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CanonicalOrder> _children = new(StringComparer.Ordinal);

    private CanonicalOrder()
    {
    }

    /// <summary>The order below <c>&lt;domain&gt;</c>.</summary>
    public static CanonicalOrder Domain => s_root.Value;

    /// <summary>The order inside child element <paramref name="name"/>, or null where libvirt's order is unknown.</summary>
    public CanonicalOrder? Child(string name) => _children.GetValueOrDefault(name);

    /// <summary>The rank of a child element name; -1 when it is not in the table.</summary>
    public int ChildRank(string name) => _childRanks.TryGetValue(name, out int r) ? r : -1;

    /// <summary>The rank of an attribute name; -1 when it is not in the table.</summary>
    public int AttributeRank(string name) => _attributeRanks.TryGetValue(name, out int r) ? r : -1;

    private static CanonicalOrder Load()
    {
        var root = new CanonicalOrder();
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Kvm.DomainXml.canonical-order.txt")
            ?? throw new InvalidOperationException("The canonical order table is missing from the assembly");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] fields = line.Split('\t');
            string[] path = fields[0].Split('/');
            if (path[0] != "domain")
            {
                continue;
            }

            var node = root;
            for (int i = 1; i < path.Length; i++)
            {
                if (!node._children.TryGetValue(path[i], out var next))
                {
                    next = new CanonicalOrder();
                    node._children.Add(path[i], next);
                }

                node = next;
            }

            Fill(node._childRanks, fields.Length > 1 ? fields[1] : string.Empty);
            Fill(node._attributeRanks, fields.Length > 2 ? fields[2] : string.Empty);
        }

        return root;
    }

    private static void Fill(Dictionary<string, int> ranks, string names)
    {
        int rank = 0;
        foreach (string name in names.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            ranks[name] = rank++;
        }
    }
}
