using System.Text;

namespace Kvm.Driver.NodeDevices;

/// <summary>The root device, "computer": the host's DMI data (udevGetDMIData), a zero UUID where there is none.</summary>
public sealed partial class SysfsNodeDevices
{
    private NodeDevice Computer()
    {
        string dmi = new[] { "devices/virtual/dmi/id", "class/dmi/id" }.Select(d => Path.Combine(_sysRoot, d)).FirstOrDefault(Directory.Exists) ?? "";
        string? Dmi(string name) => dmi.Length == 0 ? null : Attr(dmi, name)?.Trim() is { Length: > 0 } v ? v : null;

        Guid uuid = Guid.Empty;
        if (Dmi("product_uuid") is { } uuidText && !Guid.TryParse(uuidText, out uuid))
        {
            uuid = Guid.Empty;
        }
        var sb = new StringBuilder();
        Optional(sb, "    ", "product", Dmi("product_name"));
        sb.Append("    <hardware>\n");
        Optional(sb, "      ", "vendor", Dmi("sys_vendor"));
        Optional(sb, "      ", "version", Dmi("product_version"));
        Optional(sb, "      ", "serial", Dmi("product_serial"));
        NodeDeviceXml.Element(sb, "      ", "uuid", uuid.ToString("D"));
        sb.Append("    </hardware>\n");
        sb.Append("    <firmware>\n");
        Optional(sb, "      ", "vendor", Dmi("bios_vendor"));
        Optional(sb, "      ", "version", Dmi("bios_version"));
        Optional(sb, "      ", "release_date", Dmi("bios_date"));
        sb.Append("    </firmware>\n");
        return new NodeDevice(ComputerName, null, [], [], null, null, NodeDeviceCapabilities.System, sb.ToString());
    }

    private static void Optional(StringBuilder sb, string indent, string name, string? text)
    {
        if (text is not null)
        {
            NodeDeviceXml.Element(sb, indent, name, text);
        }
    }
}
