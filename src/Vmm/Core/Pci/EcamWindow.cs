using Kvm.Vmm.Bus;
using NLog;

namespace Kvm.Vmm.Pci;

/// <summary>
/// ECAM (<see cref="PciEcam"/>) where a chipset register puts it, as the Q35 MCH's PCIEXBAR does: mapped on the MMIO
/// bus when enabled, moved when reprogrammed, gone when disabled. The guest chooses the base, so a window that would
/// cover RAM, the firmware and APIC area below 4 GiB (<paramref name="forbidden"/>) or another device's range is
/// refused with a warning and the window stays unmapped; the machine carries on.
/// </summary>
public sealed class EcamWindow(MmioBus mmio, PciRootBus bus, IReadOnlyList<(ulong Address, ulong Size)> forbidden)
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly PciEcam _ecam = new(bus);
    private readonly Lock _gate = new();
    private ulong _base;
    private ulong _size;

    /// <summary>Where the window is mapped, and its size; (0, 0) while it is not.</summary>
    public (ulong Base, ulong Size) Mapped
    {
        get
        {
            lock (_gate)
            {
                return (_base, _size);
            }
        }
    }

    /// <summary>
    /// Maps the window at <paramref name="baseAddress"/> for <paramref name="size"/> bytes (0: unmaps it); false, with
    /// the window left unmapped, when the guest's choice cannot be honoured.
    /// </summary>
    public bool Place(ulong baseAddress, ulong size)
    {
        lock (_gate)
        {
            if (baseAddress == _base && size == _size)
            {
                return true;
            }

            if (_size != 0)
            {
                mmio.Unregister(_base, _ecam);
                (_base, _size) = (0, 0);
            }

            if (size == 0)
            {
                s_log.Debug("ECAM unmapped");
                return true;
            }

            if (Conflict(baseAddress, size) is { } conflict)
            {
                s_log.Warn("The guest placed ECAM at 0x{Base:x} (0x{Size:x} bytes) over {Conflict}; it stays unmapped", baseAddress, size, conflict);
                return false;
            }

            if (!mmio.TryRegister(baseAddress, size, _ecam, out string? error))
            {
                s_log.Warn("The guest placed ECAM where it cannot go: {Error}; it stays unmapped", error);
                return false;
            }

            (_base, _size) = (baseAddress, size);
            s_log.Debug("ECAM at 0x{Base:x}, 0x{Size:x} bytes ({Buses} buses)", baseAddress, size, size / PciEcam.BusSize);
            return true;
        }
    }

    private string? Conflict(ulong baseAddress, ulong size)
    {
        ulong end = baseAddress + size;
        if (end < baseAddress)
        {
            return "the end of the address space";
        }

        foreach (var (address, length) in forbidden)
        {
            if (baseAddress < address + length && address < end)
            {
                return $"[0x{address:x}, 0x{address + length:x})";
            }
        }

        return null;
    }
}
