using Kvm.DomainXml.Model;

namespace Kvm.Vmm.Launch;

/// <summary>
/// Where a device's <c>&lt;address type='pci'&gt;</c> puts it on kvm-vmm's one PCI bus. A slot of bus 0 is kept; an
/// address behind a bridge (libvirt puts q35 devices on pcie-root-port buses) is not something kvm-vmm emulates yet, so
/// the device goes to the first free slot of bus 0 instead, with a warning: the guest finds it all the same.
/// </summary>
internal static class PciSlotMapping
{
    public static byte? Slot(HostPciAddress? address, string device, Action<string> warn)
    {
        if (address is not { } a)
        {
            return null;
        }

        if (a.Domain == 0 && a.Bus == 0 && a.Function == 0 && a.Slot < 32)
        {
            return (byte)a.Slot;
        }

        warn($"{device}: PCI address {a} is behind a bridge or on another function; kvm-vmm has one PCI bus and puts it in a free slot of bus 0");
        return null;
    }
}
