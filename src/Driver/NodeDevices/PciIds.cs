using System.Globalization;

namespace Kvm.Driver.NodeDevices;

/// <summary>
/// Vendor and device names from the PCI ID database (pci.ids, Debian's pci.ids package), for hosts where udev's
/// hardware database (which libvirt reads, ID_VENDOR_FROM_DATABASE) has no record of a device. Loaded once, lazily.
/// </summary>
internal sealed class PciIds
{
    public static readonly string[] DefaultPaths = ["/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"];

    private readonly Lazy<(Dictionary<ushort, string> Vendors, Dictionary<uint, string> Devices)> _table;

    public PciIds(IEnumerable<string> paths) => _table = new(() => Load(paths.FirstOrDefault(File.Exists)));

    public string? Vendor(ushort vendor) => _table.Value.Vendors.GetValueOrDefault(vendor);

    public string? Device(ushort vendor, ushort device) => _table.Value.Devices.GetValueOrDefault(((uint)vendor << 16) | device);

    private static (Dictionary<ushort, string>, Dictionary<uint, string>) Load(string? path)
    {
        var vendors = new Dictionary<ushort, string>();
        var devices = new Dictionary<uint, string>();
        if (path is null)
        {
            return (vendors, devices);
        }
        ushort? vendor = null;
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length < 6 || line[0] == '#')
            {
                continue;
            }
            if (line.StartsWith("C ", StringComparison.Ordinal))
            {
                break; // the device classes follow the vendors
            }
            if (line[0] != '\t' && TryHex(line.AsSpan(0, 4), out ushort v))
            {
                vendor = v;
                vendors[v] = line[4..].Trim();
            }
            else if (vendor is { } current && line[0] == '\t' && line[1] != '\t' && TryHex(line.AsSpan(1, 4), out ushort d))
            {
                devices[((uint)current << 16) | d] = line[5..].Trim();
            }
        }
        return (vendors, devices);
    }

    private static bool TryHex(ReadOnlySpan<char> text, out ushort value) =>
        ushort.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
}
