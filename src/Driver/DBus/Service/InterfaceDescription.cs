using System.Xml.Linq;

namespace Kvm.DBus.Service;

/// <summary>An interface as introspection data describes it; the source of truth for dispatch checks and Introspect.</summary>
public sealed record InterfaceDescription(string Name, IReadOnlyList<MethodDescription> Methods,
    IReadOnlyList<SignalDescription> Signals, IReadOnlyList<PropertyDescription> Properties)
{
    public MethodDescription? FindMethod(string name) => Methods.FirstOrDefault(m => m.Name == name);

    public PropertyDescription? FindProperty(string name) => Properties.FirstOrDefault(p => p.Name == name);

    /// <summary>Reads the &lt;interface&gt; elements of introspection XML (such as libvirt-dbus's org.libvirt.*.xml).</summary>
    public static IReadOnlyList<InterfaceDescription> ParseXml(string xml)
    {
        XDocument document = XDocument.Parse(xml);
        return document.Descendants("interface").Select(i => new InterfaceDescription(
            (string)i.Attribute("name")!,
            i.Elements("method").Select(m => new MethodDescription((string)m.Attribute("name")!,
                Args(m, "in", defaultDirection: "in"), Args(m, "out", defaultDirection: "in"))).ToArray(),
            i.Elements("signal").Select(s => new SignalDescription((string)s.Attribute("name")!, Args(s, null, null))).ToArray(),
            i.Elements("property").Select(p => new PropertyDescription((string)p.Attribute("name")!, (string)p.Attribute("type")!,
                (string?)p.Attribute("access") switch { "read" => PropertyAccess.Read, "write" => PropertyAccess.Write, _ => PropertyAccess.ReadWrite },
                EmitsChanged(p))).ToArray())).ToArray();
    }

    private static ArgDescription[] Args(XElement member, string? direction, string? defaultDirection) =>
        member.Elements("arg")
            .Where(a => direction is null || ((string?)a.Attribute("direction") ?? defaultDirection) == direction)
            .Select(a => new ArgDescription((string?)a.Attribute("name") ?? "", (string)a.Attribute("type")!))
            .ToArray();

    private static bool EmitsChanged(XElement property) =>
        property.Elements("annotation").FirstOrDefault(a => (string?)a.Attribute("name") == "org.freedesktop.DBus.Property.EmitsChangedSignal")
            ?.Attribute("value")?.Value is not ("false" or "const" or "invalidates");
}
