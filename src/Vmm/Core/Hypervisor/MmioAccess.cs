namespace Kvm.Vmm.Hypervisor;

/// <summary>A guest access to memory-mapped I/O: up to 8 bytes, written by the guest or to be filled in for it.</summary>
public readonly ref struct MmioAccess(ulong address, bool isWrite, Span<byte> data)
{
    public ulong Address { get; } = address;

    public bool IsWrite { get; } = isWrite;

    public Span<byte> Data { get; } = data;
}
