using System.Globalization;
using System.Text;

namespace Kvm.Driver.NodeDevices;

/// <summary>USB devices and their interfaces (udevProcessUSBDevice, udevProcessUSBInterface).</summary>
public sealed partial class SysfsNodeDevices
{
    private IEnumerable<Found> ScanUsb()
    {
        foreach (string entry in Entries("bus/usb/devices"))
        {
            Dictionary<string, string> uevent = Uevent(entry);
            Found? found = uevent.GetValueOrDefault("DEVTYPE") switch
            {
                "usb_device" => ReadUsbDevice(entry, uevent),
                "usb_interface" => ReadUsbInterface(entry),
                _ => null,
            };
            if (found is not null)
            {
                yield return found;
            }
        }
    }

    private Found? ReadUsbDevice(string entry, Dictionary<string, string> uevent)
    {
        if (!int.TryParse(Attr(entry, "busnum"), NumberStyles.None, CultureInfo.InvariantCulture, out int bus)
            || !int.TryParse(Attr(entry, "devnum"), NumberStyles.None, CultureInfo.InvariantCulture, out int device)
            || !TryHex(Attr(entry, "idVendor"), out uint vendor) || !TryHex(Attr(entry, "idProduct"), out uint product))
        {
            return null;
        }
        UdevRecord udev = _udev.Read("c" + Attr(entry, "dev"));
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"    <bus>{bus}</bus>\n    <device>{device}</device>\n");
        IdElement(sb, "product", product, udev.Get("ID_MODEL_FROM_DATABASE") ?? Attr(entry, "product"));
        IdElement(sb, "vendor", vendor, udev.Get("ID_VENDOR_FROM_DATABASE") ?? Attr(entry, "manufacturer"));
        string? devNode = uevent.GetValueOrDefault("DEVNAME") is { Length: > 0 } name ? "/dev/" + name : null;
        return new Found(GenerateName("usb", Path.GetFileName(entry), null), RealPath(entry), devNode, udev.Links, DriverOf(entry),
            NodeDeviceCapabilities.UsbDev, sb.ToString());
    }

    private Found? ReadUsbInterface(string entry)
    {
        if (!TryHex(Attr(entry, "bInterfaceNumber"), out uint number) || !TryHex(Attr(entry, "bInterfaceClass"), out uint usbClass)
            || !TryHex(Attr(entry, "bInterfaceSubClass"), out uint subclass) || !TryHex(Attr(entry, "bInterfaceProtocol"), out uint protocol))
        {
            return null;
        }
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"    <number>{number}</number>\n    <class>{usbClass}</class>\n    <subclass>{subclass}</subclass>\n    <protocol>{protocol}</protocol>\n");
        return new Found(GenerateName("usb", Path.GetFileName(entry), null), RealPath(entry), null, [], DriverOf(entry),
            NodeDeviceCapabilities.UsbInterface, sb.ToString());
    }
}
