using System.Runtime.InteropServices;

namespace Kvm.Vmm.Interop;

/// <summary>struct vhost_vring_state (linux/vhost_types.h): a queue index and a number (its size, or its next avail index).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VhostVringState
{
    public const int Size = 8;

    public uint Index;
    public uint Num;
}

/// <summary>struct vhost_vring_file: a queue index and a descriptor (-1 unbinds).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VhostVringFile
{
    public const int Size = 8;

    public uint Index;
    public int Fd;
}

/// <summary>struct vhost_vring_addr: a queue's rings as addresses in the VMM's own address space (not guest addresses).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VhostVringAddr
{
    public const int Size = 40;

    public uint Index;
    public uint Flags;
    public ulong DescUserAddr;
    public ulong UsedUserAddr;
    public ulong AvailUserAddr;
    public ulong LogGuestAddr;
}

/// <summary>struct vhost_memory's header: the region count and padding; <see cref="VhostMemoryRegion"/>s follow.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VhostMemoryHeader
{
    public const int Size = 8;

    public uint Regions;
    public uint Padding;
}

/// <summary>struct vhost_memory_region: guest physical range and where the VMM maps it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VhostMemoryRegion
{
    public const int Size = 32;

    public ulong GuestPhysAddr;
    public ulong MemorySize;
    public ulong UserspaceAddr;
    public ulong FlagsPadding;
}
