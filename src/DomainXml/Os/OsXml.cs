using System.Xml.Linq;
using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Model;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Os;

/// <summary><c>&lt;os&gt;</c>: type, arch and machine, firmware, direct kernel boot and boot order.</summary>
internal static class OsXml
{
    /// <summary>The architecture our VMM runs, filled in when the definition names none (libvirt takes the host's).</summary>
    public const string DefaultArch = "x86_64";

    internal static readonly XmlEnum<BootDevice> s_boot = new(
        (BootDevice.Floppy, "fd"),
        (BootDevice.Cdrom, "cdrom"),
        (BootDevice.HardDisk, "hd"),
        (BootDevice.Network, "network"));

    private static readonly HashSet<string> s_osTypes = ["hvm", "xen", "linux", "exe", "uml", "xenpvh"];

    /// <summary>libvirt's virDomainSmbiosMode names.</summary>
    private static readonly HashSet<string> s_smbiosModes = ["none", "emulate", "host", "sysinfo"];

    public static OsDef Parse(XElement domain)
    {
        var os = domain.Element(XmlNames.Os);
        if (os is null)
        {
            return ThrowHelper.Throw<OsDef>(DomainXmlErrorKind.XmlError, "an os <type> must be specified", domain);
        }

        var type = os.Element(XmlNames.Type)
            ?? ThrowHelper.Throw<XElement>(DomainXmlErrorKind.XmlError, "an os <type> must be specified", os);
        string typeText = type.Text().Trim();
        if (typeText.Length == 0)
        {
            ThrowHelper.Throw(DomainXmlErrorKind.XmlError, "an os <type> must be specified", os);
        }

        if (!s_osTypes.Contains(typeText))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unknown OS type '{typeText}'", type);
        }

        var boot = new List<BootDevice>();
        foreach (var b in os.Elements(XmlNames.Boot))
        {
            if (b.Enum(XmlNames.Dev, s_boot) is { } dev && !boot.Contains(dev))
            {
                boot.Add(dev);
            }
            else if (b.Attr(XmlNames.Dev) is null)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.InternalError, "missing boot device", b);
            }
        }

        var bootMenu = os.Element(XmlNames.Bootmenu);
        bool? bootMenuEnabled = bootMenu?.YesNo(XmlNames.Enable);
        string? smbiosMode = os.Element(XmlNames.Smbios)?.Attr(XmlNames.Mode);
        if (smbiosMode is not null && !s_smbiosModes.Contains(smbiosMode))
        {
            ThrowHelper.Throw(DomainXmlErrorKind.ConfigUnsupported, $"unknown smbios mode '{smbiosMode}'", os.Element(XmlNames.Smbios), "mode");
        }

        bool firmware = LoaderXml.BootsFirmware(typeText);
        return new OsDef
        {
            Type = typeText,
            Arch = type.Attr(XmlNames.Arch),
            Machine = type.Attr(XmlNames.Machine),
            Firmware = os.Attr(XmlNames.Firmware),
            Loader = os.Element(XmlNames.Loader)?.Text(),
            Nvram = os.Element(XmlNames.Nvram)?.Text(),
            Kernel = os.Element(XmlNames.Kernel)?.Text(),
            Initrd = os.Element(XmlNames.Initrd)?.Text(),
            Cmdline = os.Element(XmlNames.Cmdline)?.Text(),
            Dtb = os.Element(XmlNames.Dtb)?.Text(),
            BootOrder = boot,
            LoaderDetails = firmware ? LoaderXml.ParseLoader(os) : null,
            NvramDetails = firmware ? LoaderXml.ParseNvram(os) : null,
            BootMenu = bootMenuEnabled,
            BootMenuTimeout = bootMenuEnabled == true ? bootMenu!.UInt(XmlNames.Timeout) : null,
            BiosRebootTimeout = os.Element(XmlNames.Bios)?.Int(XmlNames.RebootTimeout),
            SmbiosMode = smbiosMode,
        };
    }

    public static OsDef PostParse(OsDef os, XElement domain)
    {
        os = os with { Arch = os.Arch ?? DefaultArch };
        if (os.Type == "hvm" && os.BootOrder.Count == 0 && !HasDeviceBootOrder(domain))
        {
            os = os with { BootOrder = [BootDevice.HardDisk] };
        }

        return os;
    }

    public static void Format(OsDef os, XElement domain)
    {
        var element = domain.Element(XmlNames.Os)!;
        element.Element(XmlNames.Type)!.Set(XmlNames.Arch, os.Arch);
        element.Elements(XmlNames.Boot).Remove();
        foreach (var dev in os.BootOrder)
        {
            element.Add(new XElement(XmlNames.Boot, new XAttribute(XmlNames.Dev, s_boot.ToXml(dev))));
        }
    }

    private static bool HasDeviceBootOrder(XElement domain)
    {
        if (domain.Element(XmlNames.Devices) is not { } devices)
        {
            return false;
        }

        foreach (var device in devices.Elements())
        {
            if (device.Element(XmlNames.Boot)?.Attr(XmlNames.Order) is not null)
            {
                return true;
            }
        }

        return false;
    }
}
