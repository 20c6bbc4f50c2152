using System.Text;

namespace Kvm.Driver.NodeDevices;

/// <summary>virNodeDeviceDefFormat for the devices kvmd reports: libvirt's element order, quoting and escaping.</summary>
public static class NodeDeviceXml
{
    public static string Format(NodeDevice device)
    {
        var sb = new StringBuilder(512);
        sb.Append("<device>\n");
        Element(sb, "  ", "name", device.Name);
        if (device.SysfsPath is not null)
        {
            Element(sb, "  ", "path", device.SysfsPath);
        }
        foreach (string node in device.DevNodes)
        {
            sb.Append("  <devnode type='dev'>").Append(Escape(node)).Append("</devnode>\n");
        }
        foreach (string link in device.DevLinks)
        {
            sb.Append("  <devnode type='link'>").Append(Escape(link)).Append("</devnode>\n");
        }
        if (device.Parent is not null)
        {
            Element(sb, "  ", "parent", device.Parent);
        }
        if (device.Driver is not null)
        {
            sb.Append("  <driver>\n");
            Element(sb, "    ", "name", device.Driver);
            sb.Append("  </driver>\n");
        }
        sb.Append("  <capability type='").Append(NodeDeviceCapabilityNames.Name(device.Capability)).Append("'>\n");
        sb.Append(device.CapabilityXml);
        sb.Append("  </capability>\n");
        return sb.Append("</device>\n").ToString();
    }

    /// <summary>One line "indent&lt;name&gt;text&lt;/name&gt;" with libvirt's escaping.</summary>
    internal static void Element(StringBuilder sb, string indent, string name, string text) =>
        sb.Append(indent).Append('<').Append(name).Append('>').Append(Escape(text)).Append("</").Append(name).Append(">\n");

    /// <summary>virBufferEscapeString: the five markup characters as entities, other control characters but tab and newlines dropped.</summary>
    internal static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '\'': sb.Append("&apos;"); break;
                case '"': sb.Append("&quot;"); break;
                case < ' ' and not ('\t' or '\n' or '\r'): break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
