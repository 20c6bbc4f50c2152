using System.Globalization;
using System.Text;

namespace Kvm.Driver.NodeDevices;

/// <summary>
/// Disks (udevProcessStorage and udevProcessDisk): whole block devices whose drive type udev names "disk", or that
/// libvirt's fallback recognises by name (virtio and Xen disks). Partitions, loop, RAM and zram devices are not node
/// devices in libvirt's view; neither (yet, in kvmd's) are CD-ROM, floppy and SD drives.
/// </summary>
public sealed partial class SysfsNodeDevices
{
    private IEnumerable<Found> ScanBlock()
    {
        foreach (string entry in Entries("class/block"))
        {
            Found? found = ReadDisk(entry);
            if (found is not null)
            {
                yield return found;
            }
        }
    }

    private Found? ReadDisk(string entry)
    {
        Dictionary<string, string> uevent = Uevent(entry);
        if (uevent.GetValueOrDefault("DEVTYPE") != "disk" || uevent.GetValueOrDefault("DEVNAME") is not { Length: > 0 } devName)
        {
            return null;
        }
        string devNode = "/dev/" + devName;
        UdevRecord udev = _udev.Read("b" + Attr(entry, "dev"));
        string? driveType = udev.Get("ID_TYPE");
        if (driveType is null or "generic")
        {
            driveType = udev.Get("ID_DRIVE_FLOPPY") == "1" ? "floppy"
                : udev.Get("ID_CDROM") == "1" ? "cd"
                : udev.Get("ID_DRIVE_FLASH_SD") == "1" ? "sd"
                : devNode.StartsWith("/dev/vd", StringComparison.Ordinal) || devNode.StartsWith("/dev/xvd", StringComparison.Ordinal) ? "disk" // udevKludgeStorageType
                : null;
        }
        if (driveType != "disk"
            || !ulong.TryParse(Attr(entry, "size"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong blocks)
            || !ulong.TryParse(Attr(entry, "queue/logical_block_size"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong blockSize))
        {
            return null;
        }
        string? serial = udev.Get("ID_SERIAL");
        var sb = new StringBuilder();
        NodeDeviceXml.Element(sb, "    ", "block", devNode);
        Optional(sb, "    ", "bus", udev.Get("ID_BUS"));
        NodeDeviceXml.Element(sb, "    ", "drive_type", driveType);
        Optional(sb, "    ", "model", Attr(entry, "device/model")?.Trim() is { Length: > 0 } model ? model : null);
        Optional(sb, "    ", "vendor", Attr(entry, "device/vendor")?.Trim() is { Length: > 0 } vendor ? vendor : null);
        Optional(sb, "    ", "serial", serial);
        // libvirt's size is its sysfs "size" times the logical block size (udevProcessDisk)
        sb.Append(CultureInfo.InvariantCulture, $"    <size>{blocks * blockSize}</size>\n");
        if (blockSize > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"    <logical_block_size>{blockSize}</logical_block_size>\n");
        }
        if (blocks > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"    <num_blocks>{blocks}</num_blocks>\n");
        }
        return new Found(GenerateName("block", Path.GetFileName(entry), serial), RealPath(entry), devNode, udev.Links, null,
            NodeDeviceCapabilities.Storage, sb.ToString());
    }
}
