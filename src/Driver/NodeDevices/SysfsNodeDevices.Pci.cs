using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Kvm.Driver.NodeDevices;

/// <summary>PCI devices (udevProcessPCI): address, class, ids and names, IOMMU group, NUMA node and the PCI Express link.</summary>
public sealed partial class SysfsNodeDevices
{
    private const int PciStatus = 0x06;             // PCI 3.0 6.2.3 Status register
    private const int PciStatusCapList = 0x10;      // Status bit 4: Capabilities List
    private const int PciCapabilityPointer = 0x34;  // PCI 3.0 6.7
    private const byte PciCapIdExp = 0x10;          // PCI Express capability ID
    private const int PciConfigLength = 256;        // conventional configuration space
    private const int PciExpFlags = 0x02, PciExpLnkCap = 0x0c, PciExpLnkSta = 0x12;  // PCIe 4.0 7.8
    private const int PciExpTypeRootIntegratedEndpoint = 0x9, PciExpTypeRootEventCollector = 0xa;
    private static readonly string[] s_linkSpeeds = ["", "2.5", "5", "8", "16", "32", "64"]; // virPCIELinkSpeed

    private IEnumerable<Found> ScanPci()
    {
        foreach (string entry in Entries("bus/pci/devices"))
        {
            Found? found = ReadPci(entry);
            if (found is not null)
            {
                yield return found;
            }
        }
    }

    private Found? ReadPci(string entry)
    {
        string sysname = Path.GetFileName(entry);
        if (!TryParseAddress(sysname, out uint domain, out uint bus, out uint slot, out uint function)
            || !TryHex(Attr(entry, "vendor"), out uint vendor) || !TryHex(Attr(entry, "device"), out uint product))
        {
            return null;
        }
        string real = RealPath(entry);
        UdevRecord udev = _udev.Read("+pci:" + sysname);
        var sb = new StringBuilder();
        if (TryHex(Attr(entry, "class"), out uint pciClass))
        {
            sb.Append(CultureInfo.InvariantCulture, $"    <class>0x{pciClass:x6}</class>\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"    <domain>{domain}</domain>\n    <bus>{bus}</bus>\n    <slot>{slot}</slot>\n    <function>{function}</function>\n");
        IdElement(sb, "product", product, udev.Get("ID_MODEL_FROM_DATABASE") ?? _pciIds.Device((ushort)vendor, (ushort)product));
        IdElement(sb, "vendor", vendor, udev.Get("ID_VENDOR_FROM_DATABASE") ?? _pciIds.Vendor((ushort)vendor));
        IommuGroup(sb, entry);
        if (int.TryParse(Attr(entry, "numa_node"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int numa) && numa >= 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"    <numa node='{numa}'/>\n");
        }
        PciExpress(sb, entry);
        return new Found(GenerateName("pci", sysname, null), real, null, udev.Links, DriverOf(entry), NodeDeviceCapabilities.PciDev, sb.ToString());
    }

    private static void IdElement(StringBuilder sb, string name, uint id, string? text)
    {
        sb.Append(CultureInfo.InvariantCulture, $"    <{name} id='0x{id:x4}'");
        sb.Append(text is null ? "/>\n" : $">{NodeDeviceXml.Escape(text)}</{name}>\n");
    }

    private void IommuGroup(StringBuilder sb, string entry)
    {
        if (new DirectoryInfo(Path.Combine(entry, "iommu_group")).LinkTarget is not { } target
            || !int.TryParse(Path.GetFileName(Path.TrimEndingDirectorySeparator(target)), NumberStyles.None, CultureInfo.InvariantCulture, out int group))
        {
            return;
        }
        sb.Append(CultureInfo.InvariantCulture, $"    <iommuGroup number='{group}'>\n");
        foreach (string member in Entries($"kernel/iommu_groups/{group}/devices"))
        {
            if (TryParseAddress(Path.GetFileName(member), out uint d, out uint b, out uint s, out uint f))
            {
                sb.Append(CultureInfo.InvariantCulture, $"      <address domain='0x{d:x4}' bus='0x{b:x2}' slot='0x{s:x2}' function='0x{f:x1}'/>\n");
            }
        }
        sb.Append("    </iommuGroup>\n");
    }

    /// <summary>
    /// virPCIDeviceIsPCIExpress and the link figures: a device with the PCI Express capability, or whose configuration
    /// space is larger than the conventional 256 bytes, is PCI Express; its link is reported unless it is a root
    /// complex integrated endpoint or event collector.
    /// </summary>
    private static void PciExpress(StringBuilder sb, string entry)
    {
        byte[] config;
        try
        {
            config = File.ReadAllBytes(Path.Combine(entry, "config"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        int cap = FindCapability(config, PciCapIdExp);
        if (cap == 0 && config.Length <= PciConfigLength)
        {
            return;
        }
        if (cap == 0 || cap + PciExpLnkSta + 2 > config.Length)
        {
            sb.Append("    <pci-express/>\n");
            return;
        }
        int type = (BinaryPrimitives.ReadUInt16LittleEndian(config.AsSpan(cap + PciExpFlags)) & 0xf0) >> 4;
        if (type is PciExpTypeRootIntegratedEndpoint or PciExpTypeRootEventCollector)
        {
            sb.Append("    <pci-express/>\n");
            return;
        }
        uint linkCap = BinaryPrimitives.ReadUInt32LittleEndian(config.AsSpan(cap + PciExpLnkCap));
        ushort linkSta = BinaryPrimitives.ReadUInt16LittleEndian(config.AsSpan(cap + PciExpLnkSta));
        sb.Append("    <pci-express>\n");
        Link(sb, "cap", (int)(linkCap >> 24), (int)(linkCap & 0xf), (int)((linkCap >> 4) & 0x3f));
        Link(sb, "sta", -1, linkSta & 0xf, (linkSta >> 4) & 0x3f);
        sb.Append("    </pci-express>\n");
    }

    private static void Link(StringBuilder sb, string validity, int port, int speed, int width)
    {
        sb.Append("      <link validity='").Append(validity).Append('\'');
        if (port >= 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $" port='{port}'");
        }
        if (speed > 0 && speed < s_linkSpeeds.Length)
        {
            sb.Append(" speed='").Append(s_linkSpeeds[speed]).Append('\'');
        }
        sb.Append(CultureInfo.InvariantCulture, $" width='{width}'/>\n");
    }

    /// <summary>Walks the capability list (at most 48 entries, as the list can loop) for <paramref name="id"/>; 0 when absent.</summary>
    private static int FindCapability(byte[] config, byte id)
    {
        if (config.Length < 64 || (config[PciStatus] & PciStatusCapList) == 0)
        {
            return 0;
        }
        int pos = config[PciCapabilityPointer] & 0xfc;
        for (int ttl = 48; ttl > 0 && pos >= 0x40 && pos + 1 < config.Length; ttl--)
        {
            if (config[pos] == id)
            {
                return pos;
            }
            pos = config[pos + 1] & 0xfc;
        }
        return 0;
    }

    /// <summary>"0000:00:01.0" → domain, bus, slot, function.</summary>
    internal static bool TryParseAddress(string text, out uint domain, out uint bus, out uint slot, out uint function)
    {
        domain = bus = slot = function = 0;
        string[] parts = text.Split(':', '.');
        return parts.Length == 4
            && uint.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out domain)
            && uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bus)
            && uint.TryParse(parts[2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out slot)
            && uint.TryParse(parts[3], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out function);
    }
}
