using System.Reflection;
using System.Xml.Linq;

namespace Kvm.Driver.Api;

/// <summary>
/// One org.libvirt interface as libvirt-dbus 1.4.1 describes it (the embedded Interfaces/*.xml): the description
/// that calls are checked against, the libvirt API behind each member (for "not supported" errors) and the
/// interface element that Introspect shows, annotations included.
/// </summary>
public sealed class LibvirtInterface
{
    private const string DocStringAnnotation = "org.gtk.GDBus.DocString";
    private readonly Dictionary<string, string> _apiNames;

    private LibvirtInterface(InterfaceDescription description, Dictionary<string, string> apiNames, string introspectionXml)
    {
        Description = description;
        _apiNames = apiNames;
        IntrospectionXml = introspectionXml;
    }

    public static LibvirtInterface Connect { get; } = Load("org.libvirt.Connect.xml");

    public static LibvirtInterface Domain { get; } = Load("org.libvirt.Domain.xml");

    public static LibvirtInterface Network { get; } = Load("org.libvirt.Network.xml");

    public static LibvirtInterface DomainSnapshot { get; } = Load("org.libvirt.DomainSnapshot.xml");

    public static LibvirtInterface StoragePool { get; } = Load("org.libvirt.StoragePool.xml");

    public static LibvirtInterface StorageVol { get; } = Load("org.libvirt.StorageVol.xml");

    public static LibvirtInterface Secret { get; } = Load("org.libvirt.Secret.xml");

    public static LibvirtInterface NodeDevice { get; } = Load("org.libvirt.NodeDevice.xml");

    public static LibvirtInterface NetInterface { get; } = Load("org.libvirt.Interface.xml");

    public static LibvirtInterface NWFilter { get; } = Load("org.libvirt.NWFilter.xml");

    public string Name => Description.Name;

    public InterfaceDescription Description { get; }

    /// <summary>The &lt;interface&gt; element as the file has it, for Introspect.</summary>
    public string IntrospectionXml { get; }

    /// <summary>The libvirt API a method stands for ("virDomainOpenGraphicsFD"), from its DocString annotation.</summary>
    public string ApiName(string member) =>
        _apiNames.TryGetValue(member, out string? api) ? api : throw new ArgumentException($"No method '{member}' in {Name}", nameof(member));

    /// <summary>Parses interface XML; public for tests and tools, the two instances above are what kvmd serves.</summary>
    public static LibvirtInterface Parse(string xml)
    {
        XElement element = XDocument.Parse(xml).Descendants("interface").Single();
        InterfaceDescription description = InterfaceDescription.Parse(element);
        var apiNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (XElement method in element.Elements("method"))
        {
            string name = (string)method.Attribute("name")!;
            string? doc = method.Elements("annotation")
                .FirstOrDefault(a => (string?)a.Attribute("name") == DocStringAnnotation)?.Attribute("value")?.Value;
            apiNames[name] = ApiNameFromDocString(doc) ?? throw new InvalidDataException($"Method {name} names no libvirt API");
        }
        // GDBus introspects in its own order: the interface's annotations, methods, signals, then properties.
        var introspected = new XElement(element.Name, element.Attributes(),
            element.Elements("annotation"), element.Elements("method"), element.Elements("signal"), element.Elements("property"));
        return new LibvirtInterface(description, apiNames, introspected.ToString(SaveOptions.None));
    }

    /// <summary>"See https://libvirt.org/html/libvirt-libvirt-domain.html#virDomainSaveFlags   Empty string ..." → "virDomainSaveFlags".</summary>
    internal static string? ApiNameFromDocString(string? doc)
    {
        int hash = doc?.IndexOf('#') ?? -1;
        if (hash < 0)
        {
            return null;
        }
        int end = hash + 1;
        while (end < doc!.Length && (char.IsAsciiLetterOrDigit(doc[end]) || doc[end] == '_'))
        {
            end++;
        }
        return end > hash + 1 ? doc[(hash + 1)..end] : null;
    }

    private static LibvirtInterface Load(string file)
    {
        string resource = "Kvm.Driver.Api.Interfaces." + file;
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource {resource} is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }
}
