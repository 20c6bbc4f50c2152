namespace Kvm.Vmm.Firmware.Smbios;

/// <summary>
/// What a user says about the machine's SMBIOS identity (libvirt's <c>&lt;sysinfo type='smbios'&gt;</c> with
/// <c>&lt;smbios mode='sysinfo'&gt;</c>, or the host's values with <c>mode='host'</c>): each field null leaves kvm-vmm's
/// default (<see cref="SmbiosTables"/>). Strings are UTF-8 in the tables, at most <see cref="SmbiosTables.MaxStringBytes"/>
/// bytes each, without NUL; an empty one counts as not given.
/// </summary>
public sealed record SmbiosConfig
{
    public static SmbiosConfig Empty { get; } = new();

    /// <summary>Type 0: the BIOS vendor.</summary>
    public string? BiosVendor { get; init; }

    public string? BiosVersion { get; init; }

    /// <summary>mm/dd/yyyy (SMBIOS 3.0, 7.1).</summary>
    public string? BiosDate { get; init; }

    /// <summary>The BIOS major and minor release (<c>&lt;entry name='release'&gt;major.minor</c>).</summary>
    public (byte Major, byte Minor)? BiosRelease { get; init; }

    /// <summary>Type 1: the system manufacturer (Linux's sys_vendor).</summary>
    public string? SystemManufacturer { get; init; }

    public string? SystemProduct { get; init; }

    public string? SystemVersion { get; init; }

    public string? SystemSerial { get; init; }

    public string? SystemSku { get; init; }

    public string? SystemFamily { get; init; }

    /// <summary>Type 2, one structure per board; none: kvm-vmm's one default board.</summary>
    public IReadOnlyList<SmbiosBaseBoard> BaseBoards { get; init; } = [];

    /// <summary>Type 3: the chassis.</summary>
    public string? ChassisManufacturer { get; init; }

    public string? ChassisVersion { get; init; }

    public string? ChassisSerial { get; init; }

    public string? ChassisAsset { get; init; }

    public string? ChassisSku { get; init; }

    /// <summary>Type 11: the OEM strings, in order (at most <see cref="SmbiosTables.MaxOemStrings"/>); none: no type 11.</summary>
    public IReadOnlyList<string> OemStrings { get; init; } = [];

    /// <summary>Whether any type 0 field is given (a firmware then gets our type 0 rather than writing its own).</summary>
    public bool HasBios => BiosVendor is { Length: > 0 } || BiosVersion is { Length: > 0 } || BiosDate is { Length: > 0 } || BiosRelease is not null;
}
