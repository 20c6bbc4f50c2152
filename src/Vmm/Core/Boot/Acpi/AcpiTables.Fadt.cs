namespace Kvm.Vmm.Boot.Acpi;

/// <summary>The FADT and the FACS: hardware-reduced (the i440FX machine), or pointing at a south bridge's PM block (the Q35's ICH9).</summary>
public static partial class AcpiTables
{
    /// <summary>The reset register the Q35's FADT names: the chipset's reset control at 0xCF9, RST_CPU with SYS_RST.</summary>
    public const ushort ResetPort = 0xcf9;
    public const byte ResetValue = 0x06;

    public const int FacsSize = 64;

    private const uint FadtWbinvd = 1 << 0;
    private const uint FadtProcC1 = 1 << 2;
    private const uint FadtPowerButton = 1 << 4; // the power button is a control-method device (ours: the GED's)
    private const uint FadtSleepButton = 1 << 5; // no sleep button
    private const uint FadtResetRegSupported = 1 << 10;
    private const uint FadtHwReducedAcpi = 1 << 20;
    private const ushort BootArchVgaNotPresent = 1 << 2;

    /// <summary>Offsets in the FADT of the FACS and DSDT pointers (relocated by firmware's table loader).</summary>
    private const uint FadtFirmwareControl = 36;
    private const uint FadtDsdt = 40;
    private const uint FadtXDsdt = 140;

    /// <summary>
    /// FADT, ACPI 6 layout (276 bytes). Without <paramref name="pm"/>: hardware-reduced, no PM1 blocks, no SCI, sleep
    /// registers on I/O ports. With it: PM1a event and control, the PM timer and GPE0 in the PM block, the SCI on its
    /// IRQ, no SMI command port (the machine is in ACPI mode from the start), the reset register at 0xCF9, and the FACS
    /// at <paramref name="facs"/>.
    /// </summary>
    private static byte[] Fadt(ulong dsdt, AcpiPm? pm = null, uint facs = 0)
    {
        var fadt = new AcpiTable("FACP", 6);
        fadt.Append32(facs);                   // 36 FIRMWARE_CTRL
        fadt.Append32((uint)dsdt);             // 40 DSDT
        fadt.Append8(0).Append8(0);            // 44 reserved, 45 preferred PM profile
        fadt.Append16(pm?.SciIrq ?? 0).Append32(0); // 46 SCI_INT, 48 SMI_CMD
        fadt.Append(stackalloc byte[4]);       // 52 ACPI_ENABLE, ACPI_DISABLE, S4BIOS_REQ, PSTATE_CNT
        if (pm is null)
        {
            fadt.Append(stackalloc byte[32]);  // 56 PM1a/b EVT, PM1a/b CNT, PM2 CNT, PM TMR, GPE0, GPE1 blocks
            fadt.Append(stackalloc byte[8]);   // 88 block lengths, GPE1_BASE, CST_CNT
            fadt.Append(stackalloc byte[8]);   // 96 P_LVL2/3 latency, flush size/stride
        }
        else
        {
            fadt.Append32(pm.PmBase).Append32(0);       // 56 PM1a_EVT_BLK, 60 PM1b_EVT_BLK
            fadt.Append32(pm.PmBase + 4u).Append32(0);  // 64 PM1a_CNT_BLK, 68 PM1b_CNT_BLK
            fadt.Append32(0);                           // 72 PM2_CNT_BLK
            fadt.Append32(pm.PmBase + 8u);              // 76 PM_TMR_BLK
            fadt.Append32((uint)pm.PmBase + pm.Gpe0Offset).Append32(0); // 80 GPE0_BLK, 84 GPE1_BLK
            fadt.Append8(4).Append8(2).Append8(0).Append8(4); // 88 PM1_EVT_LEN, PM1_CNT_LEN, PM2_CNT_LEN, PM_TMR_LEN
            fadt.Append8(pm.Gpe0Length).Append8(0).Append8(0).Append8(0); // 92 GPE0_BLK_LEN, GPE1_BLK_LEN, GPE1_BASE, CST_CNT
            fadt.Append16(0x0fff).Append16(0x03e9); // 96 P_LVL2_LAT > 100 and P_LVL3_LAT > 1000: no C2, no C3
            fadt.Append32(0);                           // 100 flush size/stride
        }

        fadt.Append(stackalloc byte[5]);       // 104 duty offset/width, day/month alarm, century
        // No 8042 flag: our i8042 is only the reset line (command 0xFE). With the flag Linux probes it as a keyboard
        // controller, finds no CTR and spends over a second in timeouts; without it Linux leaves it alone, as with
        // QEMU's microvm, and reboot=k still resets through port 0x64.
        fadt.Append16(BootArchVgaNotPresent); // 109 IAPC_BOOT_ARCH
        fadt.Append8(0);                       // 111 reserved
        fadt.Append32(pm is null ? FadtHwReducedAcpi : FadtWbinvd | FadtProcC1 | FadtPowerButton | FadtSleepButton | FadtResetRegSupported); // 112 flags
        fadt.AppendIoRegister(pm is null ? (ushort)0 : ResetPort, pm is null ? (byte)0 : (byte)8); // 116 RESET_REG
        fadt.Append8(pm is null ? (byte)0 : ResetValue); // 128 RESET_VALUE
        fadt.Append16(0);                      // 129 ARM_BOOT_ARCH
        fadt.Append8(0);                       // 131 FADT minor version
        fadt.Append64(0);                      // 132 X_FIRMWARE_CTRL (FIRMWARE_CTRL holds the FACS)
        fadt.Append64(dsdt);                   // 140 X_DSDT
        fadt.Append(stackalloc byte[96]);      // 148 X_PM1a/b EVT, X_PM1a/b CNT, X_PM2 CNT, X_PM TMR, X_GPE0/1 blocks (the 32-bit fields say it)
        if (pm is null)
        {
            fadt.AppendIoRegister(SleepControlPort, 8); // 244 SLEEP_CONTROL_REG
            fadt.AppendIoRegister(SleepStatusPort, 8);  // 256 SLEEP_STATUS_REG
        }
        else
        {
            fadt.AppendIoRegister(0, 0).AppendIoRegister(0, 0); // 244, 256: sleep goes through PM1_CNT
        }

        fadt.Append64(0);                      // 268 hypervisor vendor identity
        return fadt.ToArray();
    }

    /// <summary>FACS (ACPI 6.4, 5.2.10): 64 bytes, version 2, no waking vector, no global lock held; it has no checksum.</summary>
    private static byte[] Facs()
    {
        var facs = new byte[FacsSize];
        "FACS"u8.CopyTo(facs);
        facs[4] = FacsSize;
        facs[32] = 2; // version
        return facs;
    }
}
