using System.Buffers.Binary;
using System.Text;
using Kvm.Vmm.Boot;

namespace Kvm.Vmm.Firmware;

/// <summary>
/// The fw_cfg files a machine gives its firmware (SeaBIOS, OVMF), in the formats QEMU's docs/specs/fw_cfg and the
/// firmwares' readers use: the memory map, the boot order, how long to wait before retrying a failed boot, and the
/// serial port that stands in for a screen.
/// </summary>
public static class FirmwareFiles
{
    public const string E820File = "etc/e820";
    public const string BootOrderFile = "bootorder";
    public const string BootFailWaitFile = "etc/boot-fail-wait";
    public const string SerialConsoleFile = "etc/sercon-port";
    public const string BootMenuWaitFile = "etc/boot-menu-wait";

    /// <summary>
    /// <c>etc/e820</c>: one packed {le64 address, le64 length, le32 type} per entry: the guest's RAM regions whole
    /// (the firmware reserves what it uses itself), then the reserved ranges.
    /// </summary>
    public static byte[] E820(IEnumerable<(ulong Address, ulong Size)> ram, IEnumerable<(ulong Address, ulong Size)> reserved)
    {
        var entries = ram.Select(r => new E820Entry(r.Address, r.Size, E820Entry.Ram))
            .Concat(reserved.Select(r => new E820Entry(r.Address, r.Size, E820Entry.Reserved))).ToList();
        var data = new byte[entries.Count * E820Entry.EncodedSize];
        for (int i = 0; i < entries.Count; i++)
        {
            var at = data.AsSpan(i * E820Entry.EncodedSize);
            BinaryPrimitives.WriteUInt64LittleEndian(at, entries[i].Address);
            BinaryPrimitives.WriteUInt64LittleEndian(at[8..], entries[i].Size);
            BinaryPrimitives.WriteUInt32LittleEndian(at[16..], entries[i].Type);
        }

        return data;
    }

    /// <summary>
    /// <c>bootorder</c>: one OpenFirmware device path per line, first to boot first, as QEMU writes them for
    /// bootindex; a virtio disk at slot S of bus 0 is <c>/pci@i0cf8/scsi@S/disk@0,0</c> (S in hex, and ",F" for a
    /// function other than 0).
    /// </summary>
    public static byte[] BootOrder(IEnumerable<string> devicePaths) =>
        Encoding.ASCII.GetBytes(string.Concat(devicePaths.Select(p => p + "\n")));

    /// <summary>The path QEMU gives a virtio-blk disk at <paramref name="slot"/>.<paramref name="function"/> of bus 0.</summary>
    public static string VirtioDiskPath(int slot, int function = 0) =>
        function == 0 ? $"/pci@i0cf8/scsi@{slot:x}/disk@0,0" : $"/pci@i0cf8/scsi@{slot:x},{function:x}/disk@0,0";

    /// <summary><c>etc/boot-menu-wait</c>: milliseconds the boot menu waits for a key (le16), as QEMU's <c>-boot splash-time</c>.</summary>
    public static byte[] BootMenuWait(ushort milliseconds)
    {
        var data = new byte[2];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(data, milliseconds);
        return data;
    }

    /// <summary><c>etc/boot-fail-wait</c>: milliseconds before the firmware retries when nothing booted (le32; -1: never retry).</summary>
    public static byte[] BootFailWait(int milliseconds)
    {
        var data = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(data, milliseconds);
        return data;
    }

    /// <summary><c>etc/sercon-port</c>: the UART SeaBIOS mirrors its screen to, when there is no display (le16 port).</summary>
    public static byte[] SerialConsole(ushort port)
    {
        var data = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(data, port);
        return data;
    }
}
