namespace Kvm.Vmm.Bus;

/// <summary>
/// A device on the memory-mapped bus. <paramref name="offset"/> is relative to the start of the device's range; the
/// span is the guest's access (1, 2, 4 or 8 bytes). Reads fill the span. Called on vCPU threads with values the guest
/// chose: a device never throws on them.
/// </summary>
public interface IBusDevice
{
    void Read(ulong offset, Span<byte> data);

    void Write(ulong offset, ReadOnlySpan<byte> data);
}
