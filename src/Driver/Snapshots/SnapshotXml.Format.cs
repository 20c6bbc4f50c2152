using System.Globalization;
using System.Security;
using System.Text;
using Kvm.DomainXml;
using Kvm.DomainXml.Errors;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Snapshots;

public static partial class SnapshotXml
{
    /// <summary>
    /// virDomainSnapshotDefFormat: the snapshot as libvirt writes it, with the domain's inactive definition (secure
    /// fields only when <paramref name="secure"/>), or only its UUID when the snapshot has no domain and
    /// <paramref name="domainUuid"/> is given. <paramref name="current"/> (kvmd's metadata, FORMAT_INTERNAL) adds
    /// &lt;active&gt;.
    /// </summary>
    public static string Format(SnapshotDef def, Guid? domainUuid, bool secure, bool? current = null)
    {
        ArgumentNullException.ThrowIfNull(def);
        var sb = new StringBuilder(1024);
        sb.Append("<domainsnapshot>\n");
        Element(sb, 2, "name", def.Name);
        if (def.Description is not null)
        {
            Element(sb, 2, "description", def.Description);
        }
        if (def.State is not null)
        {
            Element(sb, 2, "state", def.State);
        }
        if (def.Parent is not null)
        {
            sb.Append("  <parent>\n");
            Element(sb, 4, "name", def.Parent);
            sb.Append("  </parent>\n");
        }
        if (def.CreationTime != 0)
        {
            Element(sb, 2, "creationTime", def.CreationTime.ToString(CultureInfo.InvariantCulture));
        }
        if (def.Memory is not null)
        {
            sb.Append("  <memory snapshot='").Append(def.Memory).Append('\'');
            if (def.MemoryFile is not null)
            {
                sb.Append(" file='").Append(SecurityElement.Escape(def.MemoryFile)).Append('\'');
            }
            sb.Append("/>\n");
        }
        if (def.Disks.Count > 0)
        {
            sb.Append("  <disks>\n");
            foreach (SnapshotDiskDef disk in def.Disks)
            {
                FormatDisk(sb, disk);
            }
            sb.Append("  </disks>\n");
        }
        if (def.DomainXml is not null)
        {
            foreach (string line in DomainText(def.DomainXml, secure).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                sb.Append("  ").Append(line).Append('\n');
            }
        }
        else if (domainUuid is { } uuid)
        {
            sb.Append("  <domain>\n");
            Element(sb, 4, "uuid", Api.LibvirtUuid.Format(uuid));
            sb.Append("  </domain>\n");
        }
        if (current is { } active)
        {
            Element(sb, 2, "active", active ? "1" : "0");
        }
        sb.Append("</domainsnapshot>\n");
        return sb.ToString();
    }

    private static void FormatDisk(StringBuilder sb, SnapshotDiskDef disk)
    {
        sb.Append("    <disk name='").Append(SecurityElement.Escape(disk.Name)).Append('\'');
        if (disk.Location is not null)
        {
            sb.Append(" snapshot='").Append(disk.Location).Append('\'');
        }
        if (!disk.HasStorage)
        {
            sb.Append("/>\n");
            return;
        }
        sb.Append(" type='").Append(disk.SourceType).Append("'>\n");
        if (disk.DriverType is not null)
        {
            sb.Append("      <driver type='").Append(disk.DriverType).Append("'/>\n");
        }
        if (disk.Source is not null)
        {
            sb.Append("      <source ").Append(disk.SourceType == "block" ? "dev" : "file").Append("='")
                .Append(SecurityElement.Escape(disk.Source)).Append("'/>\n");
        }
        sb.Append("    </disk>\n");
    }

    /// <summary>The stored (secure) inactive definition, without its secrets unless <paramref name="secure"/>.</summary>
    private static string DomainText(string domainXml, bool secure)
    {
        if (secure)
        {
            return domainXml;
        }
        try
        {
            DomainDocument document = DomainXmlParser.Parse(domainXml, null, DomainParseFlags.Inactive | DomainParseFlags.SkipValidate);
            return DomainXmlFormatter.Format(document, DomainFormatFlags.Inactive);
        }
        catch (DomainXmlException e)
        {
            throw DomainErrors.FromXml(e);
        }
    }

    private static void Element(StringBuilder sb, int indent, string name, string text) =>
        sb.Append(' ', indent).Append('<').Append(name).Append('>').Append(SecurityElement.Escape(text)).Append("</").Append(name).Append(">\n");
}
