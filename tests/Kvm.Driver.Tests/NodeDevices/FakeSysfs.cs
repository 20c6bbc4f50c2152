namespace Kvm.Driver.Tests.NodeDevices;

/// <summary>
/// A small copy of sysfs's layout in a temporary directory (real directories, attribute files and the same kind of
/// symlinks), for unit tests of how <see cref="Kvm.Driver.NodeDevices.SysfsNodeDevices"/> reads it; the real /sys is
/// read by SysfsNodeDevicesHostTests.
/// </summary>
internal sealed class FakeSysfs : IDisposable
{
    public FakeSysfs()
    {
        Root = Directory.CreateTempSubdirectory("kvmd-sysfs-").FullName;
        Sys = Path.Combine(Root, "sys");
        Udev = Path.Combine(Root, "udev");
        Directory.CreateDirectory(Sys);
        Directory.CreateDirectory(Udev);
    }

    public string Root { get; }

    public string Sys { get; }

    public string Udev { get; }

    /// <summary>A device directory below sys/devices with its attribute files.</summary>
    public string Device(string relative, params (string Name, string Value)[] attributes)
    {
        string dir = Path.Combine(Sys, "devices", relative);
        Directory.CreateDirectory(dir);
        foreach ((string name, string value) in attributes)
        {
            string file = Path.Combine(dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, value + "\n");
        }
        return dir;
    }

    /// <summary>A symlink at sys/<paramref name="at"/> to <paramref name="target"/>, relative as sysfs makes them.</summary>
    public void Link(string at, string target)
    {
        string link = Path.Combine(Sys, at);
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, Path.GetRelativePath(Path.GetDirectoryName(link)!, target));
    }

    public void Bytes(string dir, string name, byte[] content) => File.WriteAllBytes(Path.Combine(dir, name), content);

    public void UdevRecord(string id, params string[] lines) => File.WriteAllLines(Path.Combine(Udev, id), lines);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
