using NLog;

namespace Kvm.Vmm.Pci;

/// <summary>
/// PCI bus 0 of the machine's one host bridge: 32 slots, function 0 of each. A configuration access to a slot, function
/// or bus with nothing there reads as all ones (so the guest sees no device) and a write to it is dropped.
/// </summary>
public sealed class PciRootBus
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly IPciDevice?[] _slots = new IPciDevice?[PciAddress.SlotsPerBus];

    public IEnumerable<(PciAddress Address, IPciDevice Device)> Devices =>
        _slots.Select((device, slot) => (new PciAddress(0, (byte)slot, 0), device)).Where(d => d.device is not null)
            .Select(d => (d.Item1, d.device!));

    public bool IsFree(byte slot) => slot < PciAddress.SlotsPerBus && _slots[slot] is null;

    /// <summary>Plugs <paramref name="device"/> into <paramref name="slot"/> (before the guest runs).</summary>
    public void Add(byte slot, IPciDevice device)
    {
        if (!IsFree(slot))
        {
            throw new ArgumentException(slot < PciAddress.SlotsPerBus
                ? $"PCI slot 0x{slot:x2} already holds {_slots[slot]!.Name}"
                : $"PCI slot 0x{slot:x2} does not exist (bus 0 has slots 0x00 to 0x1f)");
        }

        _slots[slot] = device;
    }

    public void ReadConfig(int bus, int slot, int function, int offset, Span<byte> data)
    {
        if (Find(bus, slot, function) is { } device && offset + data.Length <= 4096)
        {
            device.ReadConfig(offset, data);
            return;
        }

        data.Fill(0xff);
    }

    public void WriteConfig(int bus, int slot, int function, int offset, ReadOnlySpan<byte> data)
    {
        if (Find(bus, slot, function) is { } device && offset + data.Length <= 4096)
        {
            device.WriteConfig(offset, data);
        }
        else if (s_log.IsTraceEnabled)
        {
            s_log.Trace("Config write to absent PCI function {Bus:x2}:{Slot:x2}.{Function:x} offset 0x{Offset:x}", bus, slot, function, offset);
        }
    }

    private IPciDevice? Find(int bus, int slot, int function) =>
        bus == 0 && function == 0 && slot is >= 0 and < PciAddress.SlotsPerBus ? _slots[slot] : null;
}
