namespace Kvm.Vmm.Pci;

/// <summary>
/// The host bridge at 00:00.0 as a PC's i440FX PMC presents it (Intel 82441FX, 8086:1237), the identity SeaBIOS and
/// OVMF look for on QEMU's pc machine. Its chipset registers hold what firmware writes: the PAM registers (0x59-0x5F)
/// that map the BIOS areas, and SMRAM control (0x72). The machine's RAM below 1 MiB is RAM whatever they say, which is
/// what firmware asks for once it has copied itself there.
/// </summary>
public sealed class PciHostBridge : IPciDevice
{
    public const ushort IntelVendor = 0x8086;
    public const ushort I440fxDevice = 0x1237; // 82441FX PMC

    /// <summary>PAM0 (82441FX datasheet 3.2.18): 0xF0000-0xFFFFF; PAM1-6 follow, two 16 KiB areas each.</summary>
    public const int Pam0 = 0x59;
    public const int PamCount = 7;

    /// <summary>SMRAM control (82441FX 3.2.21): the default value 0x02 places SMRAM at 0xA0000.</summary>
    public const int SmramControl = 0x72;

    public PciHostBridge()
    {
        Config = new PciConfigSpace(IntelVendor, I440fxDevice, 0x06_00_00, 0x02, 0x1af4, 0x1100);
        // PAM0 decodes only its upper nibble (the 0xF0000 segment); PAM1-6 both nibbles (read enable, write enable).
        Config.DefineRegister(Pam0, new byte[PamCount], [0x30, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33]);
        Config.DefineRegister(SmramControl, [0x02], [0x78]);
    }

    public string Name => "i440FX-pcihost";

    public PciConfigSpace Config { get; }

    public void ReadConfig(int offset, Span<byte> data) => Config.Read(offset, data);

    public void WriteConfig(int offset, ReadOnlySpan<byte> data) => Config.Write(offset, data);
}
