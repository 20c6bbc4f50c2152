using System.Xml.Linq;
using Kvm.DomainXml.Parsing;

namespace Kvm.DomainXml.Validation;

/// <summary>
/// What a disk's <c>&lt;target dev bus&gt;</c> means once libvirt's post-parse has run: the bus it sits on
/// (virDomainDiskDefPostParse), the index and partition its name encodes (virDiskNameParse), and the drive address
/// the name implies when none is written (virDomainDiskDefAssignAddress, with QEMU's narrow SCSI bus).
/// </summary>
internal static class DiskTarget
{
    /// <summary>Units per SCSI bus libvirt maps names onto for QEMU (SCSI_NARROW_BUS_MAX_CONT_UNIT).</summary>
    private const int NarrowScsiUnits = 7;

    private static readonly string[] s_prefixes = ["fd", "hd", "vd", "sd", "xvd", "ubd"];

    /// <summary>The bus as written, else the one the device and the target name imply.</summary>
    public static string Bus(XElement disk)
    {
        var target = disk.Element(XmlNames.Target);
        if (target?.Attr(XmlNames.Bus) is { } bus)
        {
            return bus;
        }

        if (disk.Attr(XmlNames.Device) == "floppy")
        {
            return "fdc";
        }

        string dev = target?.Attr(XmlNames.Dev) ?? string.Empty;
        return dev.StartsWith("sd", StringComparison.Ordinal) ? "scsi"
            : dev.StartsWith("vd", StringComparison.Ordinal) ? "virtio"
            : dev.StartsWith("xvd", StringComparison.Ordinal) ? "xen"
            : dev.StartsWith("ubd", StringComparison.Ordinal) ? "uml"
            : "ide";
    }

    /// <summary>
    /// Splits a name like "vdb1" into disk index 1 and partition 1: a known prefix, lower-case letters in base 26,
    /// then optional partition digits without a leading zero. False when the name has another shape.
    /// </summary>
    public static bool TryParseName(string name, out int index, out int partition)
    {
        index = partition = 0;
        int i = PrefixLength(name);
        if (i == 0)
        {
            return false;
        }

        if (i >= name.Length || !char.IsAsciiLetterLower(name[i]))
        {
            return false;
        }

        long value = 0;
        for (int n = 0; i < name.Length && char.IsAsciiLetterLower(name[i]); i++, n++)
        {
            value = (value + (n < 1 ? 0 : 1)) * 26 + (name[i] - 'a');
            if (value > int.MaxValue)
            {
                return false;
            }
        }

        ReadOnlySpan<char> digits = name.AsSpan(i);
        if (digits.ContainsAnyExceptInRange('0', '9') || (digits.Length > 1 && digits[0] == '0'))
        {
            return false;
        }

        index = (int)value;
        return digits.IsEmpty || int.TryParse(digits, out partition);
    }

    private static int PrefixLength(string name)
    {
        foreach (string prefix in s_prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return prefix.Length;
            }
        }

        return 0;
    }

    /// <summary>The drive address written, or the one disk index <paramref name="index"/> implies on its bus (-1: none).</summary>
    public static DriveAddress? AddressOf(string bus, XElement? address, int index)
    {
        if (address is not null)
        {
            return address.Attr(XmlNames.Type) == "drive" ? DriveAddress.Read(address) : null;
        }

        if (index < 0)
        {
            return null;
        }

        return bus switch
        {
            "scsi" => new DriveAddress((uint)(index / NarrowScsiUnits), 0, 0, (uint)(index % NarrowScsiUnits)),
            "ide" => new DriveAddress((uint)(index / 4), (uint)(index % 4 / 2), 0, (uint)(index % 2)),
            "sata" => new DriveAddress((uint)(index / 6), 0, 0, (uint)(index % 6)),
            "fdc" => new DriveAddress((uint)(index / 2), 0, 0, (uint)(index % 2)),
            _ => null,
        };
    }
}
