using System.Text;
using System.Xml;

namespace Kvm.Driver.Api;

/// <summary>
/// Introspect output in GDBus's shape, as libvirt-dbus answers: the three standard interfaces with GDBus's
/// argument names, the org.libvirt interface element exactly as its XML file has it (annotations included), then
/// the child nodes. Child node names are relative (the D-Bus specification's form); libvirt-dbus 1.4.1 puts whole
/// paths there for the domain subtree, which busctl tolerates and recursive introspection does not.
/// </summary>
internal static class GDBusIntrospection
{
    private const string Header =
        "<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n" +
        "                      \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n";

    private const string StandardInterfaces = """
          <interface name="org.freedesktop.DBus.Properties">
            <method name="Get">
              <arg type="s" name="interface_name" direction="in"/>
              <arg type="s" name="property_name" direction="in"/>
              <arg type="v" name="value" direction="out"/>
            </method>
            <method name="GetAll">
              <arg type="s" name="interface_name" direction="in"/>
              <arg type="a{sv}" name="properties" direction="out"/>
            </method>
            <method name="Set">
              <arg type="s" name="interface_name" direction="in"/>
              <arg type="s" name="property_name" direction="in"/>
              <arg type="v" name="value" direction="in"/>
            </method>
            <signal name="PropertiesChanged">
              <arg type="s" name="interface_name"/>
              <arg type="a{sv}" name="changed_properties"/>
              <arg type="as" name="invalidated_properties"/>
            </signal>
          </interface>
          <interface name="org.freedesktop.DBus.Introspectable">
            <method name="Introspect">
              <arg type="s" name="xml_data" direction="out"/>
            </method>
          </interface>
          <interface name="org.freedesktop.DBus.Peer">
            <method name="Ping"/>
            <method name="GetMachineId">
              <arg type="s" name="machine_uuid" direction="out"/>
            </method>
          </interface>

        """;

    /// <summary>An object with <paramref name="libvirtInterface"/> (null: a path that only has children).</summary>
    public static string Build(LibvirtInterface? libvirtInterface, IEnumerable<string> children)
    {
        var sb = new StringBuilder(Header).Append("<node>\n");
        if (libvirtInterface is not null)
        {
            sb.Append(StandardInterfaces);
            foreach (string line in libvirtInterface.IntrospectionXml.Split('\n'))
            {
                sb.Append("  ").Append(line.TrimEnd('\r')).Append('\n');
            }
        }
        foreach (string child in children)
        {
            sb.Append("  <node name=\"").Append(XmlEscape(child)).Append("\"/>\n");
        }
        return sb.Append("</node>\n").ToString();
    }

    private static string XmlEscape(string text)
    {
        var sb = new StringBuilder();
        using (XmlWriter writer = XmlWriter.Create(sb, new XmlWriterSettings { ConformanceLevel = ConformanceLevel.Fragment }))
        {
            writer.WriteString(text);
        }
        return sb.ToString().Replace("\"", "&quot;");
    }
}
