using System.Text;
using System.Xml;

namespace Kvm.DBus.Service;

/// <summary>Builds introspection XML (specification, "Introspection Data Format") from interface descriptions.</summary>
public static class IntrospectionXml
{
    private const string DocType =
        "<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n" +
        " \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n";

    public static string Build(IEnumerable<InterfaceDescription> interfaces, IEnumerable<string> childNodes)
    {
        var sb = new StringBuilder(DocType);
        var settings = new XmlWriterSettings { OmitXmlDeclaration = true, Indent = true, IndentChars = "  ", ConformanceLevel = ConformanceLevel.Fragment };
        using (XmlWriter xml = XmlWriter.Create(sb, settings))
        {
            xml.WriteStartElement("node");
            foreach (InterfaceDescription description in interfaces)
            {
                WriteInterface(xml, description);
            }
            foreach (string child in childNodes)
            {
                xml.WriteStartElement("node");
                xml.WriteAttributeString("name", child);
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        }
        return sb.Append('\n').ToString();
    }

    private static void WriteInterface(XmlWriter xml, InterfaceDescription description)
    {
        xml.WriteStartElement("interface");
        xml.WriteAttributeString("name", description.Name);
        foreach (MethodDescription method in description.Methods)
        {
            xml.WriteStartElement("method");
            xml.WriteAttributeString("name", method.Name);
            WriteArgs(xml, method.In, "in");
            WriteArgs(xml, method.Out, "out");
            xml.WriteEndElement();
        }
        foreach (SignalDescription signal in description.Signals)
        {
            xml.WriteStartElement("signal");
            xml.WriteAttributeString("name", signal.Name);
            WriteArgs(xml, signal.Args, null);
            xml.WriteEndElement();
        }
        foreach (PropertyDescription property in description.Properties)
        {
            xml.WriteStartElement("property");
            xml.WriteAttributeString("name", property.Name);
            xml.WriteAttributeString("type", property.Signature);
            xml.WriteAttributeString("access", property.Access switch
            {
                PropertyAccess.Read => "read",
                PropertyAccess.Write => "write",
                PropertyAccess.ReadWrite => "readwrite",
            });
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
    }

    private static void WriteArgs(XmlWriter xml, IReadOnlyList<ArgDescription> args, string? direction)
    {
        foreach (ArgDescription arg in args)
        {
            xml.WriteStartElement("arg");
            if (arg.Name.Length > 0)
            {
                xml.WriteAttributeString("name", arg.Name);
            }
            xml.WriteAttributeString("type", arg.Signature);
            if (direction is not null)
            {
                xml.WriteAttributeString("direction", direction);
            }
            xml.WriteEndElement();
        }
    }
}
