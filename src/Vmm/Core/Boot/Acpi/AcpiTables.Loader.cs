namespace Kvm.Vmm.Boot.Acpi;

/// <summary>
/// The same tables for a machine that boots through firmware (SeaBIOS, OVMF): not written into guest memory by us,
/// but offered as fw_cfg files, <see cref="TablesFile"/> (the FACS of a full ACPI machine, then DSDT, FADT, MADT, MCFG, XSDT one after another) and
/// <see cref="RsdpFile"/>, with the <see cref="LoaderFile"/> script that tells the firmware where to put them, which
/// pointer fields to relocate (they hold offsets into the tables file until then) and which checksums to compute
/// (left 0 here, as both firmwares expect).
/// </summary>
public static partial class AcpiTables
{
    public const string TablesFile = "etc/acpi/tables";
    public const string RsdpFile = "etc/acpi/rsdp";
    public const string LoaderFile = "etc/table-loader";

    private const int ChecksumOffset = 9; // in every table header

    /// <summary>The three fw_cfg files that describe this machine's ACPI tables to firmware.</summary>
    public static IReadOnlyList<KeyValuePair<string, byte[]>> FirmwareFiles(IReadOnlyList<int> apicIds, AcpiPci? pci = null, AcpiPm? pm = null)
    {
        var tables = new List<byte>();
        var loader = new TableLoader()
            .Allocate(RsdpFile, 16, TableLoader.ZoneFSegment)
            .Allocate(TablesFile, 64, TableLoader.ZoneHigh);
        var placed = new List<(uint Offset, int Length)>();
        uint Place(byte[] table)
        {
            while (tables.Count % 8 != 0)
            {
                tables.Add(0);
            }

            uint offset = (uint)tables.Count;
            table[ChecksumOffset] = 0;
            tables.AddRange(table);
            placed.Add((offset, table.Length));
            return offset;
        }

        uint facs = 0;
        if (pm is not null)
        {
            // First in the file, whose allocation is 64-byte aligned, as the FACS must be; it has no checksum.
            tables.AddRange(Facs());
        }

        uint dsdt = Place(Dsdt(pci, pm));
        uint fadt = Place(Fadt(dsdt, pm, facs));
        if (pm is not null)
        {
            loader.AddPointer(TablesFile, TablesFile, fadt + FadtFirmwareControl, 4); // FIRMWARE_CTRL
        }

        loader.AddPointer(TablesFile, TablesFile, fadt + FadtDsdt, 4); // DSDT
        loader.AddPointer(TablesFile, TablesFile, fadt + FadtXDsdt, 8); // X_DSDT
        var entries = new List<uint> { fadt, Place(Madt(apicIds, pm)) };
        if (pci is not null)
        {
            entries.Add(Place(Mcfg(pci)));
        }

        var xsdtTable = new AcpiTable("XSDT", 1);
        foreach (uint entry in entries)
        {
            xsdtTable.Append64(entry);
        }

        uint xsdt = Place(xsdtTable.ToArray());
        for (int i = 0; i < entries.Count; i++)
        {
            loader.AddPointer(TablesFile, TablesFile, xsdt + (uint)AcpiTable.HeaderSize + ((uint)i * 8), 8);
        }

        foreach (var (offset, length) in placed)
        {
            loader.AddChecksum(TablesFile, offset + ChecksumOffset, offset, (uint)length);
        }

        byte[] rsdp = Rsdp(xsdt);
        rsdp[8] = 0;
        rsdp[32] = 0;
        loader.AddPointer(RsdpFile, TablesFile, 24, 8)
            .AddChecksum(RsdpFile, 8, 0, 20)
            .AddChecksum(RsdpFile, 32, 0, RsdpSize);
        return
        [
            new(TablesFile, [.. tables]),
            new(RsdpFile, rsdp),
            new(LoaderFile, loader.ToArray()),
        ];
    }

}
