using NLog;

namespace Kvm.Vmm.Devices.Acpi;

/// <summary>
/// Where a south bridge's ACPI PM block answers on the port bus: firmware writes its base into a configuration register
/// (PIIX4's PMBA, ICH9's PMBASE) and enables it (PMIOSE, ACPI_EN); the block then answers there, moves when the base is
/// rewritten and goes when disabled. A base the block cannot take (overlapping another device, or running past port
/// 0xFFFF) is refused with a warning and the block stays unmapped: the guest asked for it, the machine carries on.
/// </summary>
public sealed class PmBlockPlacement(IoBus ports, AcpiPmRegisters registers, string chip)
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Lock _gate = new();
    private ushort _mappedAt;

    /// <summary>The port the PM block answers at; 0 while firmware has not enabled it.</summary>
    public ushort MappedAt => Volatile.Read(ref _mappedAt);

    /// <summary>Puts the block at <paramref name="wanted"/>, or nowhere for 0.</summary>
    public void Place(ushort wanted)
    {
        lock (_gate)
        {
            if (wanted == _mappedAt)
            {
                return;
            }

            if (_mappedAt != 0)
            {
                ports.Unregister(_mappedAt, registers);
            }

            ushort mapped = 0;
            if (wanted != 0)
            {
                if (ports.TryRegister(wanted, registers.Size, registers, out string? error))
                {
                    mapped = wanted;
                }
                else
                {
                    s_log.Warn("The guest placed the {Chip} power-management block where it cannot go: {Error}", chip, error);
                }
            }

            Volatile.Write(ref _mappedAt, mapped);
            s_log.Debug("{Chip} power-management block at port 0x{Port:x}", chip, mapped);
        }
    }
}
