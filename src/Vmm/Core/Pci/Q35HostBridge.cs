using System.Buffers.Binary;
using NLog;

namespace Kvm.Vmm.Pci;

/// <summary>
/// The host bridge at 00:00.0 of a Q35 machine: the Intel 3 Series / Q35 memory controller hub (MCH, 8086:29C0), the
/// identity SeaBIOS and OVMF look for on QEMU's q35 machine. PCIEXBAR (datasheet 5.1.16) places the PCI Express enhanced
/// configuration window (<see cref="EcamWindow"/>) when firmware or the guest enables it; the PAM registers
/// (5.1.18-24, 0x90-0x96) and SMRAM control (5.1.25, 0x9D) and ESMRAMC (5.1.26, 0x9E) hold what firmware writes. The
/// machine's RAM below 1 MiB is RAM whatever they say, as behind the i440FX.
/// </summary>
public sealed class Q35HostBridge : IPciDevice
{
    public const ushort MchDevice = 0x29c0; // 82G33/G31/P35/P31 MCH, as QEMU's q35 presents it

    /// <summary>PCIEXBAR, u64: bit 0 PCIEXBAREN, bits 2:1 LENGTH (00 256 MiB, 01 128 MiB, 10 64 MiB), base in bits 35:26.</summary>
    public const int PciExBar = 0x60;
    public const ulong PciExBarEnable = 1;

    /// <summary>Where QEMU's q35 and its firmware put ECAM: 256 MiB for buses 0 to 255.</summary>
    public const ulong DefaultEcamBase = 0xb000_0000;

    public const int Pam0 = 0x90;
    public const int PamCount = 7;
    public const int SmramControl = 0x9d;
    public const int ExtendedSmramControl = 0x9e;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly EcamWindow _ecam;

    public Q35HostBridge(EcamWindow ecam)
    {
        _ecam = ecam;
        Config = new PciConfigSpace(PciHostBridge.IntelVendor, MchDevice, 0x06_00_00, 0x00, 0x1af4, 0x1100);
        // Reset value: QEMU's base, disabled; the writable bits are LENGTH, PCIEXBAREN and the base (35:26).
        Config.DefineRegister(PciExBar, [0x00, 0x00, 0x00, 0xb0, 0x00, 0x00, 0x00, 0x00], [0x07, 0x00, 0x00, 0xfc, 0x0f, 0x00, 0x00, 0x00]);
        // PAM0 decodes only its upper nibble (the 0xF0000 segment); PAM1-6 both nibbles (read enable, write enable).
        Config.DefineRegister(Pam0, new byte[PamCount], [0x30, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33]);
        // SMRAM: D_OPEN, D_CLS, D_LCK, G_SMRAME, with C_BASE_SEG 010 (0xA0000) fixed; ESMRAMC: H_SMRAME, TSEG_SZ, T_EN.
        Config.DefineRegister(SmramControl, [0x02, 0x38], [0x78, 0x87]);
    }

    public string Name => "mch";

    public PciConfigSpace Config { get; }

    /// <summary>The window PCIEXBAR asks for: (base, size), or (0, 0) when disabled or its LENGTH is reserved.</summary>
    public static (ulong Base, ulong Size) Decode(ulong pciExBar)
    {
        if ((pciExBar & PciExBarEnable) == 0)
        {
            return (0, 0);
        }

        int buses = ((pciExBar >> 1) & 3) switch { 0 => 256, 1 => 128, 2 => 64, _ => 0 };
        ulong size = (ulong)buses * PciEcam.BusSize;
        return buses == 0 ? (0, 0) : (pciExBar & 0xf_ffff_ffffUL & ~(size - 1), size);
    }

    public void ReadConfig(int offset, Span<byte> data) => Config.Read(offset, data);

    public void WriteConfig(int offset, ReadOnlySpan<byte> data)
    {
        Config.Write(offset, data);
        if (s_log.IsDebugEnabled && data.Length <= 4)
        {
            s_log.Debug("MCH config write at 0x{Offset:x2}: 0x{Value:x}", offset, Value(data));
        }

        if (offset < PciExBar + 8 && offset + data.Length > PciExBar)
        {
            ulong value = Config.Get32(PciExBar) | ((ulong)Config.Get32(PciExBar + 4) << 32);
            var (baseAddress, size) = Decode(value);
            if ((value & PciExBarEnable) != 0 && size == 0)
            {
                s_log.Warn("The guest enabled PCIEXBAR with the reserved LENGTH 11 (0x{Value:x}); ECAM stays unmapped", value);
            }

            _ecam.Place(baseAddress, size);
        }
    }

    private static uint Value(ReadOnlySpan<byte> data)
    {
        Span<byte> value = stackalloc byte[4];
        data.CopyTo(value);
        return BinaryPrimitives.ReadUInt32LittleEndian(value);
    }
}
