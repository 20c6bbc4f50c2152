namespace Kvm.Driver.NodeDevices;

/// <summary>
/// What udev recorded about a device (/run/udev/data/&lt;id&gt;: "E:KEY=value" properties and "S:link" device links),
/// read the way libvirt's udev backend gets them through libudev. Absent where udevd does not run (containers, the
/// nested-KVM guest): then a device simply has no udev properties, as libvirt's view of it has none there either.
/// </summary>
internal sealed class UdevDatabase
{
    private readonly string _directory;

    public UdevDatabase(string directory) => _directory = directory;

    /// <summary>The record of a device: "b8:0" / "c189:1" for one with a device number, "n4" for network interface 4.</summary>
    public UdevRecord Read(string id)
    {
        string file = Path.Combine(_directory, id);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        var links = new List<string>();
        if (!File.Exists(file))
        {
            return new UdevRecord(properties, links);
        }
        try
        {
            foreach (string line in File.ReadLines(file))
            {
                if (line.StartsWith("E:", StringComparison.Ordinal) && line.IndexOf('=', 2) is int eq and > 2)
                {
                    properties[line[2..eq]] = line[(eq + 1)..];
                }
                else if (line.StartsWith("S:", StringComparison.Ordinal))
                {
                    links.Add("/dev/" + line[2..]);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // udev rewrites its records in place; a record that cannot be read now counts as none
        }
        links.Sort(StringComparer.Ordinal);
        return new UdevRecord(properties, links);
    }
}

/// <summary>A device's udev properties and device links.</summary>
internal sealed record UdevRecord(IReadOnlyDictionary<string, string> Properties, IReadOnlyList<string> Links)
{
    /// <summary>No record: what a device udev has not seen has.</summary>
    public static UdevRecord None { get; } = new(new Dictionary<string, string>(), []);

    /// <summary>A property as libvirt's udevGetStringProperty returns it: null when absent or empty.</summary>
    public string? Get(string key) => Properties.TryGetValue(key, out string? value) && value.Length > 0 ? value : null;
}
