using System.Runtime.InteropServices;

namespace Kvm.Vmm.Interop;

/// <summary>struct kvm_irqfd: an eventfd that raises a GSI when signalled (linux/kvm.h).</summary>
[StructLayout(LayoutKind.Sequential, Size = Size)]
internal struct KvmIrqfd
{
    public const int Size = 32;

    /// <summary>KVM_IRQFD_FLAG_DEASSIGN.</summary>
    public const uint FlagDeassign = 1;

    public uint Fd;
    public uint Gsi;
    public uint Flags;
    public uint ResampleFd;
}

/// <summary>struct kvm_ioeventfd: a guest write to an address that signals an eventfd inside KVM (no exit to us).</summary>
[StructLayout(LayoutKind.Sequential, Size = Size)]
internal struct KvmIoeventfd
{
    public const int Size = 64;

    /// <summary>KVM_IOEVENTFD_FLAG_DATAMATCH, _PIO and _DEASSIGN (bits 0, 1 and 2).</summary>
    public const uint FlagDatamatch = 1 << 0;
    public const uint FlagPio = 1 << 1;
    public const uint FlagDeassign = 1 << 2;

    public ulong Datamatch;
    public ulong Addr;
    public uint Len;
    public int Fd;
    public uint Flags;
}

/// <summary>
/// struct kvm_irq_routing_entry with its MSI arm (kvm_irq_routing_msi): gsi, type, flags, pad, then a 32-byte union.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = Size)]
internal struct KvmIrqRoutingEntry
{
    public const int Size = 48;

    /// <summary>KVM_IRQ_ROUTING_IRQCHIP and KVM_IRQ_ROUTING_MSI.</summary>
    public const uint TypeIrqchip = 1;
    public const uint TypeMsi = 2;

    public uint Gsi;
    public uint Type;
    public uint Flags;
    public uint Pad;

    /// <summary>MSI: address_lo; irqchip: the chip (0 PIC master, 1 PIC slave, 2 IOAPIC).</summary>
    public uint U0;

    /// <summary>MSI: address_hi; irqchip: the pin.</summary>
    public uint U1;

    /// <summary>MSI: data.</summary>
    public uint U2;
    public uint U3;
    public ulong U4, U5;
}
