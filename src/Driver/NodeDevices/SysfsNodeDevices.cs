using System.Globalization;
using System.Text;

namespace Kvm.Driver.NodeDevices;

/// <summary>
/// The host's devices read from sysfs (and udev's database where udevd keeps one) the way libvirt 9.0's udev node
/// device backend reports them on a QEMU host: the root "computer", PCI devices, USB devices and interfaces, network
/// interfaces and disks, each named and parented as libvirt does it (nodeDeviceGenerateName, udevSetParent).
/// Read-only, and read afresh on every <see cref="Scan"/>. The capability details are in the partial files by kind.
/// </summary>
public sealed partial class SysfsNodeDevices
{
    public const string ComputerName = "computer";

    private readonly string _sysRoot;
    private readonly UdevDatabase _udev;
    private readonly PciIds _pciIds;

    /// <param name="sysRoot">Where sysfs is mounted (a copy of its layout in unit tests).</param>
    /// <param name="udevData">udev's database directory.</param>
    /// <param name="pciIds">Where to look for pci.ids (the first that exists).</param>
    public SysfsNodeDevices(string sysRoot = "/sys", string udevData = "/run/udev/data", IEnumerable<string>? pciIds = null)
    {
        _sysRoot = sysRoot;
        _udev = new UdevDatabase(udevData);
        _pciIds = new PciIds(pciIds ?? PciIds.DefaultPaths);
    }

    /// <summary>Every device, sorted by name, the root first among equals; a device that vanishes while read is left out.</summary>
    public IReadOnlyList<NodeDevice> Scan()
    {
        var found = new List<Found>();
        found.AddRange(ScanPci());
        found.AddRange(ScanUsb());
        found.AddRange(ScanNet());
        found.AddRange(ScanBlock());
        var byPath = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Found f in found)
        {
            byPath.TryAdd(f.RealPath, f.Name);
        }
        var devices = new List<NodeDevice> { Computer() };
        foreach (Found f in found)
        {
            devices.Add(new NodeDevice(f.Name, f.RealPath, f.DevNode is null ? [] : [f.DevNode], f.Links, ParentOf(f.RealPath, byPath), f.Driver, f.Capability, f.CapabilityXml));
        }
        return devices.DistinctBy(d => d.Name).OrderBy(d => d.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>udevSetParent: the nearest sysfs ancestor that is itself a node device, else the root.</summary>
    private static string ParentOf(string realPath, Dictionary<string, string> byPath)
    {
        for (string? dir = Path.GetDirectoryName(realPath); dir is { Length: > 1 }; dir = Path.GetDirectoryName(dir))
        {
            if (byPath.TryGetValue(dir, out string? parent))
            {
                return parent;
            }
        }
        return ComputerName;
    }

    /// <summary>nodeDeviceGenerateName: "subsystem_sysname[_extra]" with every character but ASCII letters and digits as '_'.</summary>
    internal static string GenerateName(string subsystem, string sysname, string? extra)
    {
        var sb = new StringBuilder(subsystem).Append('_').Append(sysname);
        if (extra is not null)
        {
            sb.Append('_').Append(extra);
        }
        for (int i = 0; i < sb.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(sb[i]))
            {
                sb[i] = '_';
            }
        }
        return sb.ToString();
    }

    /// <summary>A sysfs attribute as libvirt's udevGetStringSysfsAttr gives it: null when missing, unreadable or empty; trailing newline gone.</summary>
    internal static string? Attr(string dir, string name)
    {
        try
        {
            string text = File.ReadAllText(Path.Combine(dir, name)).TrimEnd('\n');
            return text.Length == 0 ? null : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    internal static bool TryHex(string? text, out uint value)
    {
        value = 0;
        return text is not null && uint.TryParse(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text,
            NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A uevent file's KEY=value lines.</summary>
    internal static Dictionary<string, string> Uevent(string dir)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in (Attr(dir, "uevent") ?? "").Split('\n'))
        {
            int eq = line.IndexOf('=');
            if (eq > 0)
            {
                values[line[..eq]] = line[(eq + 1)..];
            }
        }
        return values;
    }

    /// <summary>The directory a sysfs link leads to, with every link on the way resolved.</summary>
    internal static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        FileSystemInfo? target = new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true);
        return Path.TrimEndingDirectorySeparator(target?.FullName ?? full);
    }

    /// <summary>The bound driver's name, from the driver link.</summary>
    internal static string? DriverOf(string dir)
    {
        string link = Path.Combine(dir, "driver");
        return new DirectoryInfo(link).LinkTarget is { } target ? Path.GetFileName(Path.TrimEndingDirectorySeparator(target)) : null;
    }

    private IEnumerable<string> Entries(string relative)
    {
        string dir = Path.Combine(_sysRoot, relative);
        return Directory.Exists(dir) ? Directory.GetFileSystemEntries(dir).Order(StringComparer.Ordinal) : [];
    }

    /// <summary>A device found in sysfs, before its parent is known.</summary>
    private sealed record Found(string Name, string RealPath, string? DevNode, IReadOnlyList<string> Links, string? Driver,
        NodeDeviceCapabilities Capability, string CapabilityXml);
}
