using NLog;

namespace Kvm.Vmm.Pci;

/// <summary>
/// PCI bus 0 of the machine's one host bridge: 32 slots of up to 8 functions. A configuration access to a slot,
/// function or bus with nothing there reads as all ones (so the guest sees no device) and a write to it is dropped.
/// A slot's functions other than 0 are seen by enumerating software only when function 0 says it is multi-function
/// (its header type's bit 7), which is the devices' business.
/// </summary>
public sealed class PciRootBus
{
    public const int FunctionsPerSlot = 8;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly IPciDevice?[] _functions = new IPciDevice?[PciAddress.SlotsPerBus * FunctionsPerSlot];

    public IEnumerable<(PciAddress Address, IPciDevice Device)> Devices =>
        _functions.Select((device, index) => (Address: new PciAddress(0, (byte)(index / FunctionsPerSlot), (byte)(index % FunctionsPerSlot)), Device: device))
            .Where(d => d.Device is not null).Select(d => (d.Address, d.Device!));

    /// <summary>Whether <paramref name="slot"/> exists and none of its functions is taken.</summary>
    public bool IsFree(byte slot) =>
        slot < PciAddress.SlotsPerBus && _functions.AsSpan(slot * FunctionsPerSlot, FunctionsPerSlot).IndexOfAnyExcept((IPciDevice?)null) < 0;

    /// <summary>Plugs <paramref name="device"/> into function 0 of <paramref name="slot"/> (before the guest runs).</summary>
    public void Add(byte slot, IPciDevice device) => Add(slot, 0, device);

    /// <summary>Plugs <paramref name="device"/> into <paramref name="function"/> of <paramref name="slot"/> (before the guest runs).</summary>
    public void Add(byte slot, byte function, IPciDevice device)
    {
        if (slot >= PciAddress.SlotsPerBus || function >= FunctionsPerSlot)
        {
            throw new ArgumentException($"PCI function {slot:x2}.{function:x} does not exist (bus 0 has slots 0x00 to 0x1f, functions 0 to 7)");
        }

        if (_functions[(slot * FunctionsPerSlot) + function] is { } taken)
        {
            throw new ArgumentException(function == 0
                ? $"PCI slot 0x{slot:x2} already holds {taken.Name}"
                : $"PCI function {slot:x2}.{function:x} already holds {taken.Name}");
        }

        _functions[(slot * FunctionsPerSlot) + function] = device;
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
        bus == 0 && slot is >= 0 and < PciAddress.SlotsPerBus && function is >= 0 and < FunctionsPerSlot
            ? _functions[(slot * FunctionsPerSlot) + function]
            : null;
}
