using Kvm.Vmm.Boot.Acpi;
using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Memory;

namespace Kvm.Vmm.Firmware;

/// <summary>
/// A machine that boots through a legacy BIOS (SeaBIOS): the image read-only just below 4 GiB, where the reset vector
/// lands, and its last 256 KiB copied into RAM ending at 1 MiB, where the BIOS's far jump from the reset vector
/// continues and its code and data live (RAM there, as on QEMU's machines once the BIOS has unlocked shadow RAM and
/// copied itself down, which SeaBIOS does only behind QEMU's i440FX or Q35 host bridges); the
/// vCPUs start in the architectural reset state; and the fw_cfg files the BIOS reads for the memory map, the ACPI
/// tables, the boot order and its console.
/// </summary>
public sealed class BiosBoot : IDisposable
{
    /// <summary>COM1, which SeaBIOS uses as its screen and keyboard when a machine has no display (sercon).</summary>
    public const ushort SerialConsolePort = 0x3f8;

    private readonly GuestMemory _rom;

    private BiosBoot(BiosImage image, GuestMemory rom)
    {
        Image = image;
        _rom = rom;
    }

    public BiosImage Image { get; }

    /// <summary>
    /// Puts <paramref name="image"/> into the machine: a read-only copy at <see cref="BiosImage.HighAddress"/> and its
    /// low part in <paramref name="ram"/> at <see cref="BiosImage.LowAddress"/>.
    /// </summary>
    public static BiosBoot Load(IVm vm, GuestMemory ram, BiosImage image)
    {
        var rom = GuestMemory.Allocate([(image.HighAddress, (ulong)image.Data.Length)]);
        try
        {
            rom.Write(image.HighAddress, image.Data);
            vm.MapReadOnlyMemory(rom);
            ram.Write(image.LowAddress, image.LowPart.Span);
            return new BiosBoot(image, rom);
        }
        catch
        {
            rom.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The fw_cfg files for the BIOS: the memory map (<paramref name="ram"/> regions whole, <paramref name="reserved"/>
    /// ranges), the ACPI tables with their loader script, the boot order (OpenFirmware paths, first first; none: the
    /// BIOS's own order), how long to wait before trying again when nothing booted (QEMU always gives SeaBIOS this
    /// file: -1, never, unless <c>-boot reboot-timeout</c> says otherwise; without it SeaBIOS would retry after a minute), how long the boot menu waits (<c>etc/boot-menu-wait</c>, QEMU's
    /// splash-time; null: the firmware's default), and COM1 as the console.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, byte[]>> Files(IEnumerable<(ulong Address, ulong Size)> ram,
        IEnumerable<(ulong Address, ulong Size)> reserved, IReadOnlyList<int> apicIds, AcpiPci pci, IEnumerable<string> bootOrder,
        int bootFailWaitMilliseconds = -1, ushort? bootMenuWaitMilliseconds = null, AcpiPm? pm = null)
    {
        var files = new List<KeyValuePair<string, byte[]>>(AcpiTables.FirmwareFiles(apicIds, pci, pm))
        {
            new(FirmwareFiles.E820File, FirmwareFiles.E820(ram, reserved)),
            new(FirmwareFiles.SerialConsoleFile, FirmwareFiles.SerialConsole(SerialConsolePort)),
            new(FirmwareFiles.BootFailWaitFile, FirmwareFiles.BootFailWait(bootFailWaitMilliseconds)),
        };

        if (bootMenuWaitMilliseconds is { } menuWait)
        {
            files.Add(new(FirmwareFiles.BootMenuWaitFile, FirmwareFiles.BootMenuWait(menuWait)));
        }

        byte[] order = FirmwareFiles.BootOrder(bootOrder);
        if (order.Length > 0)
        {
            files.Add(new(FirmwareFiles.BootOrderFile, order));
        }

        return files;
    }

    public void Dispose() => _rom.Dispose();
}
