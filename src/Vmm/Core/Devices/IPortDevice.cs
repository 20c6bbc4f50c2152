namespace Kvm.Vmm.Devices;

/// <summary>
/// A device on the I/O port bus. <paramref name="offset"/> is relative to the device's base port; the data span is
/// the guest's access (1, 2 or 4 bytes). Reads fill the span. Called on vCPU threads; the guest chooses every value.
/// </summary>
public interface IPortDevice
{
    void Read(ushort offset, Span<byte> data);

    void Write(ushort offset, ReadOnlySpan<byte> data);
}
