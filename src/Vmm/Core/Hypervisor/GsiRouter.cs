using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Hypervisor;

/// <summary>
/// KVM's GSI routing table. GSIs 0-23 are the in-kernel controllers' pins exactly as KVM routes them by default (0-15
/// to the PIC and the I/O APIC, 16-23 to the I/O APIC); each MSI vector a device enables gets a GSI from 24 up, routed
/// to its message address and data. KVM_SET_GSI_ROUTING replaces the whole table, so every change sends all of it.
/// </summary>
public sealed class GsiRouter
{
    /// <summary>The I/O APIC's pin count: the GSIs below this are wired, the ones from here on are MSI routes.</summary>
    public const uint FirstMsiGsi = 24;

    /// <summary>The most MSI routes a machine hands out (KVM allows 4096 GSIs in all).</summary>
    public const int MaxMsiRoutes = 1024;

    private readonly Lock _gate = new();
    private readonly Action<ReadOnlySpan<KvmIrqRoutingEntry>> _apply;
    private readonly Dictionary<uint, (uint AddressLow, uint AddressHigh, uint Data)> _msi = [];
    private uint _nextGsi = FirstMsiGsi;
    private readonly Stack<uint> _free = new();

    internal GsiRouter(Action<ReadOnlySpan<KvmIrqRoutingEntry>> apply) => _apply = apply;

    /// <summary>A GSI for one MSI vector, routed nowhere until <see cref="SetMsi"/>; false when all are taken.</summary>
    public bool TryAllocate(out uint gsi)
    {
        lock (_gate)
        {
            if (_free.TryPop(out gsi))
            {
                return true;
            }

            if (_nextGsi - FirstMsiGsi >= MaxMsiRoutes)
            {
                gsi = 0;
                return false;
            }

            gsi = _nextGsi++;
            return true;
        }
    }

    /// <summary>Routes <paramref name="gsi"/> to the MSI message (address, data) and sends the table to the hypervisor.</summary>
    public void SetMsi(uint gsi, ulong address, uint data)
    {
        lock (_gate)
        {
            var value = ((uint)address, (uint)(address >> 32), data);
            if (_msi.TryGetValue(gsi, out var old) && old == value)
            {
                return;
            }

            _msi[gsi] = value;
            Apply();
        }
    }

    /// <summary>Removes the route of <paramref name="gsi"/> and gives the GSI back.</summary>
    public void Release(uint gsi)
    {
        lock (_gate)
        {
            if (_msi.Remove(gsi))
            {
                Apply();
            }

            _free.Push(gsi);
        }
    }

    private void Apply()
    {
        const uint ioApicPins = 24, picPins = 16;
        var entries = new KvmIrqRoutingEntry[ioApicPins + picPins + _msi.Count];
        int n = 0;
        for (uint gsi = 0; gsi < ioApicPins; gsi++)
        {
            if (gsi < picPins)
            {
                // KVM_IRQCHIP_PIC_MASTER (0) for pins 0-7, KVM_IRQCHIP_PIC_SLAVE (1) for 8-15.
                entries[n++] = new KvmIrqRoutingEntry { Gsi = gsi, Type = KvmIrqRoutingEntry.TypeIrqchip, U0 = gsi < 8 ? 0u : 1u, U1 = gsi % 8 };
            }

            // KVM_IRQCHIP_IOAPIC (2).
            entries[n++] = new KvmIrqRoutingEntry { Gsi = gsi, Type = KvmIrqRoutingEntry.TypeIrqchip, U0 = 2, U1 = gsi };
        }

        foreach (var (gsi, (low, high, data)) in _msi)
        {
            entries[n++] = new KvmIrqRoutingEntry { Gsi = gsi, Type = KvmIrqRoutingEntry.TypeMsi, U0 = low, U1 = high, U2 = data };
        }

        _apply(entries.AsSpan(0, n));
    }
}
