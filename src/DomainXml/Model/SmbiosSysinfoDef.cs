namespace Kvm.DomainXml.Model;

/// <summary>
/// The first <c>&lt;sysinfo type='smbios'&gt;</c> (libvirt's formatdomain "SMBIOS System Information"), which a domain
/// with <c>&lt;os&gt;&lt;smbios mode='sysinfo'/&gt;</c> shows its guest: each block's entries by name (the first entry
/// of a name; empty ones left out, as libvirt's parser leaves them), one dictionary per <c>&lt;baseBoard&gt;</c>, and
/// the OEM strings in order.
/// </summary>
public sealed record SmbiosSysinfoDef
{
    /// <summary>Block 0, <c>&lt;bios&gt;</c>: vendor, version, date, release.</summary>
    public IReadOnlyDictionary<string, string> Bios { get; init; } = new Dictionary<string, string>();

    /// <summary>Block 1, <c>&lt;system&gt;</c>: manufacturer, product, version, serial, uuid, sku, family.</summary>
    public IReadOnlyDictionary<string, string> System { get; init; } = new Dictionary<string, string>();

    /// <summary>Block 2, each <c>&lt;baseBoard&gt;</c>: manufacturer, product, version, serial, asset, location.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> BaseBoards { get; init; } = [];

    /// <summary>Block 3, <c>&lt;chassis&gt;</c>: manufacturer, version, serial, asset, sku.</summary>
    public IReadOnlyDictionary<string, string> Chassis { get; init; } = new Dictionary<string, string>();

    /// <summary>Block 11, <c>&lt;oemStrings&gt;&lt;entry&gt;</c> texts.</summary>
    public IReadOnlyList<string> OemStrings { get; init; } = [];
}
