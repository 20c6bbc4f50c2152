using System.Globalization;
using System.Text;
using Kvm.DomainXml.Model;
using Kvm.Vmm.Firmware.Smbios;

namespace Kvm.Vmm.Launch;

/// <summary>
/// <c>&lt;os&gt;&lt;smbios mode&gt;</c> as libvirt's QEMU driver applies it: <c>emulate</c> (and no mode) leaves kvm-vmm's
/// defaults; <c>sysinfo</c> takes the first <c>&lt;sysinfo type='smbios'&gt;</c>'s blocks (bios, system, baseBoard,
/// chassis, oemStrings; the system UUID is the domain's, which the validator has checked it equals); <c>host</c> copies
/// the host's block 0 and block 1 except the UUID (libvirt's formatdomain), read from /sys/class/dmi/id. Each value
/// is checked here, so bad input names its element.
/// </summary>
internal static class SmbiosMapping
{
    public const string HostDmiDirectory = "/sys/class/dmi/id";

    public static SmbiosConfig Map(DomainDef domain, string file, string hostDmiDirectory = HostDmiDirectory)
    {
        var config = domain.Os.SmbiosMode switch
        {
            "sysinfo" => FromSysinfo(domain.Smbios ?? throw new LaunchException(
                $"{file}: os/smbios/@mode: 'sysinfo' needs a <sysinfo type='smbios'>, and domain '{domain.Name}' has none"), file),
            "host" => FromHost(hostDmiDirectory, file),
            _ => SmbiosConfig.Empty,
        };

        // The whole table must fit too: build it once for a small machine (strings make its size).
        try
        {
            SmbiosTables.Build(config, new SmbiosPlatform(domain.Uuid, "probe", "probe", 1, 1, 1, 1, 0, [(0, 1UL << 30)], false));
        }
        catch (ArgumentException e)
        {
            throw new LaunchException($"{file}: sysinfo: {e.Message}");
        }

        return config;
    }

    private static SmbiosConfig FromSysinfo(SmbiosSysinfoDef sysinfo, string file)
    {
        string? Get(IReadOnlyDictionary<string, string> block, string blockName, string name) =>
            block.TryGetValue(name, out string? value) ? Checked(value, $"sysinfo/{blockName}/entry[@name='{name}']", file) : null;

        if (sysinfo.OemStrings.Count > SmbiosTables.MaxOemStrings)
        {
            throw new LaunchException($"{file}: sysinfo/oemStrings: {sysinfo.OemStrings.Count} entries, at most {SmbiosTables.MaxOemStrings} are allowed");
        }

        var oem = new List<string>();
        for (int i = 0; i < sysinfo.OemStrings.Count; i++)
        {
            string where = $"sysinfo/oemStrings/entry[{i + 1}]";
            oem.Add(Checked(sysinfo.OemStrings[i], where, file) is { Length: > 0 } text ? text : throw new LaunchException($"{file}: {where}: an OEM string cannot be empty"));
        }

        var bios = sysinfo.Bios;
        var system = sysinfo.System;
        var chassis = sysinfo.Chassis;
        return new SmbiosConfig
        {
            BiosVendor = Get(bios, "bios", "vendor"),
            BiosVersion = Get(bios, "bios", "version"),
            BiosDate = Get(bios, "bios", "date"),
            BiosRelease = Get(bios, "bios", "release") is { } release ? Release(release, "sysinfo/bios/entry[@name='release']", file) : null,
            SystemManufacturer = Get(system, "system", "manufacturer"),
            SystemProduct = Get(system, "system", "product"),
            SystemVersion = Get(system, "system", "version"),
            SystemSerial = Get(system, "system", "serial"),
            SystemSku = Get(system, "system", "sku"),
            SystemFamily = Get(system, "system", "family"),
            BaseBoards = [.. sysinfo.BaseBoards.Select((board, i) => new SmbiosBaseBoard
            {
                Manufacturer = Get(board, $"baseBoard[{i + 1}]", "manufacturer"),
                Product = Get(board, $"baseBoard[{i + 1}]", "product"),
                Version = Get(board, $"baseBoard[{i + 1}]", "version"),
                Serial = Get(board, $"baseBoard[{i + 1}]", "serial"),
                Asset = Get(board, $"baseBoard[{i + 1}]", "asset"),
                Location = Get(board, $"baseBoard[{i + 1}]", "location"),
            })],
            ChassisManufacturer = Get(chassis, "chassis", "manufacturer"),
            ChassisVersion = Get(chassis, "chassis", "version"),
            ChassisSerial = Get(chassis, "chassis", "serial"),
            ChassisAsset = Get(chassis, "chassis", "asset"),
            ChassisSku = Get(chassis, "chassis", "sku"),
            OemStrings = oem,
        };
    }

    /// <summary>
    /// The host's type 0 and type 1 fields as Linux shows them; a field the VMM may not read (product_serial is
    /// root's) is left out. None readable: refused, as libvirt refuses when it has no host SMBIOS.
    /// </summary>
    private static SmbiosConfig FromHost(string directory, string file)
    {
        string? Read(string name)
        {
            try
            {
                // sysfs values are short; a NUL (which SMBIOS strings cannot hold) is dropped rather than refused.
                string text = File.ReadAllText(Path.Combine(directory, name)).Replace("\0", string.Empty, StringComparison.Ordinal).TrimEnd('\n', ' ');
                return text.Length > 0 && Encoding.UTF8.GetByteCount(text) <= SmbiosTables.MaxStringBytes ? text : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        var config = new SmbiosConfig
        {
            BiosVendor = Read("bios_vendor"),
            BiosVersion = Read("bios_version"),
            BiosDate = Read("bios_date"),
            BiosRelease = Read("bios_release") is { } release && TryRelease(release, out var value) ? value : null,
            SystemManufacturer = Read("sys_vendor"),
            SystemProduct = Read("product_name"),
            SystemVersion = Read("product_version"),
            SystemSerial = Read("product_serial"),
            SystemSku = Read("product_sku"),
            SystemFamily = Read("product_family"),
        };
        string?[] values = [config.BiosVendor, config.BiosVersion, config.BiosDate, config.SystemManufacturer, config.SystemProduct,
            config.SystemVersion, config.SystemSerial, config.SystemSku, config.SystemFamily];
        if (config.BiosRelease is null && values.All(v => v is null))
        {
            throw new LaunchException($"{file}: os/smbios/@mode: 'host', but the host's SMBIOS information is not available ({directory})");
        }

        return config;
    }

    private static string Checked(string value, string where, string file)
    {
        if (value.Contains('\0'))
        {
            throw new LaunchException($"{file}: {where}: an SMBIOS string cannot hold a NUL character");
        }

        int bytes = Encoding.UTF8.GetByteCount(value);
        return bytes <= SmbiosTables.MaxStringBytes
            ? value
            : throw new LaunchException($"{file}: {where}: {bytes} bytes, at most {SmbiosTables.MaxStringBytes} are allowed");
    }

    private static (byte Major, byte Minor) Release(string text, string where, string file) =>
        TryRelease(text, out var release) ? release : throw new LaunchException($"{file}: {where}: '{text}' is not major.minor (0 to 255 each)");

    private static bool TryRelease(string text, out (byte Major, byte Minor) release)
    {
        string[] parts = text.Split('.');
        release = default;
        if (parts.Length == 2 && byte.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out byte major)
            && byte.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out byte minor))
        {
            release = (major, minor);
            return true;
        }

        return false;
    }
}
