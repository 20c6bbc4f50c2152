using Kvm.Vmm.Bus;

namespace Kvm.Vmm.Pci;

/// <summary>
/// The enhanced configuration access mechanism (PCI Express 4.0, 7.2.2): 4 KiB of configuration space per function,
/// memory-mapped at bus (27-20), device (19-15), function (14-12), register (11-0), described to the guest by the ACPI
/// MCFG table. Accesses wider than 4 bytes or crossing a dword are dropped (reads: all ones), as on real bridges.
/// </summary>
public sealed class PciEcam(PciRootBus bus) : IBusDevice
{
    /// <summary>The size of the window for one bus.</summary>
    public const ulong BusSize = 1 << 20;

    public void Read(ulong offset, Span<byte> data)
    {
        if (Valid(offset, data.Length))
        {
            bus.ReadConfig((int)(offset >> 20), (int)((offset >> 15) & 0x1f), (int)((offset >> 12) & 0x7), (int)(offset & 0xfff), data);
            return;
        }

        data.Fill(0xff);
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (Valid(offset, data.Length))
        {
            bus.WriteConfig((int)(offset >> 20), (int)((offset >> 15) & 0x1f), (int)((offset >> 12) & 0x7), (int)(offset & 0xfff), data);
        }
    }

    private static bool Valid(ulong offset, int width) => width is 1 or 2 or 4 && (offset & 3) + (ulong)width <= 4;
}
