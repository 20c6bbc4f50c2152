namespace Kvm.Vmm.Memory;

/// <summary>One contiguous range of guest RAM and the host mapping behind it.</summary>
public readonly record struct GuestRegion(ulong GuestAddress, ulong Size, nint HostAddress)
{
    public ulong End => GuestAddress + Size;
}
