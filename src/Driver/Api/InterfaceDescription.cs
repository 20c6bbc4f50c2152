using System.Xml.Linq;

namespace Kvm.Driver.Api;

/// <summary>
/// An interface as its introspection XML describes it (libvirt-dbus's org.libvirt.*.xml): the source of truth for
/// the dispatch checks (member, in-signature, property type and access) and for Introspect.
/// </summary>
public sealed record InterfaceDescription(string Name, IReadOnlyList<MethodDescription> Methods,
    IReadOnlyList<SignalDescription> Signals, IReadOnlyList<PropertyDescription> Properties)
{
    public MethodDescription? FindMethod(string name) => Methods.FirstOrDefault(m => m.Name == name);

    public PropertyDescription? FindProperty(string name) => Properties.FirstOrDefault(p => p.Name == name);

    /// <summary>Reads one &lt;interface&gt; element.</summary>
    public static InterfaceDescription Parse(XElement element) => new(
        (string)element.Attribute("name")!,
        element.Elements("method").Select(m => new MethodDescription((string)m.Attribute("name")!,
            string.Concat(m.Elements("arg").Where(a => ((string?)a.Attribute("direction") ?? "in") == "in").Select(a => (string)a.Attribute("type")!)))).ToArray(),
        element.Elements("signal").Select(s => new SignalDescription((string)s.Attribute("name")!,
            string.Concat(s.Elements("arg").Select(a => (string)a.Attribute("type")!)))).ToArray(),
        element.Elements("property").Select(p => new PropertyDescription((string)p.Attribute("name")!, (string)p.Attribute("type")!,
            (string?)p.Attribute("access") is "readwrite" or "write")).ToArray());
}
