namespace Kvm.Vmm.Hypervisor;

/// <summary>
/// A guest port access: <see cref="Count"/> items of <see cref="Width"/> bytes (a string instruction repeats),
/// written by the guest when <see cref="IsWrite"/>, else to be filled in for it. Valid until the vCPU runs again.
/// </summary>
public readonly ref struct PortAccess(ushort port, byte width, bool isWrite, Span<byte> data)
{
    public ushort Port { get; } = port;

    public byte Width { get; } = width;

    public bool IsWrite { get; } = isWrite;

    public int Count => Data.Length / Width;

    public Span<byte> Data { get; } = data;
}
