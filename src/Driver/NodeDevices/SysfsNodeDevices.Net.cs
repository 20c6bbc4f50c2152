using System.Globalization;
using System.Text;

namespace Kvm.Driver.NodeDevices;

/// <summary>Network interfaces (udevProcessNetworkInterface): name, MAC address, link state and speed, 802.3 or 802.11.</summary>
public sealed partial class SysfsNodeDevices
{
    /// <summary>virNetDevIfState's names, as the kernel's operstate spells them.</summary>
    private static readonly string[] s_operStates = ["unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up"];

    private IEnumerable<Found> ScanNet()
    {
        foreach (string entry in Entries("class/net"))
        {
            Dictionary<string, string> uevent = Uevent(entry);
            string ifname = uevent.GetValueOrDefault("INTERFACE") ?? Path.GetFileName(entry);
            string? address = Attr(entry, "address");
            if (!Directory.Exists(entry))
            {
                continue;
            }
            var sb = new StringBuilder();
            NodeDeviceXml.Element(sb, "    ", "interface", ifname);
            if (address is not null)
            {
                NodeDeviceXml.Element(sb, "    ", "address", address);
            }
            (uint speed, string? state) = LinkInfo(entry);
            sb.Append(FormatLink("    ", speed, state));
            sb.Append("    <capability type='").Append(uevent.GetValueOrDefault("DEVTYPE") == "wlan" ? "80211" : "80203").Append("'/>\n");
            UdevRecord udev = uevent.TryGetValue("IFINDEX", out string? index) ? _udev.Read("n" + index) : UdevRecord.None;
            yield return new Found(GenerateName("net", Path.GetFileName(entry), address), RealPath(entry), null, udev.Links, null,
                NodeDeviceCapabilities.Net, sb.ToString());
        }
    }

    /// <summary>virNetDevGetLinkInfo: the operstate, and the speed only while the link is up (drivers report nonsense otherwise).</summary>
    internal static (uint Speed, string? State) LinkInfo(string entry)
    {
        string? state = Attr(entry, "operstate") is { } s && s_operStates.Contains(s) ? s : null;
        if (state != "up" || !long.TryParse(Attr(entry, "speed"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long speed))
        {
            return (0, state);
        }
        return (unchecked((uint)speed), state); // libvirt reads the kernel's -1 ("unknown") as 4294967295
    }

    /// <summary>virInterfaceLinkFormat: nothing when neither figure is known.</summary>
    internal static string FormatLink(string indent, uint speed, string? state)
    {
        if (speed == 0 && state is null)
        {
            return "";
        }
        var sb = new StringBuilder(indent).Append("<link");
        if (speed != 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $" speed='{speed}'");
        }
        if (state is not null)
        {
            sb.Append(" state='").Append(state).Append('\'');
        }
        return sb.Append("/>\n").ToString();
    }
}
