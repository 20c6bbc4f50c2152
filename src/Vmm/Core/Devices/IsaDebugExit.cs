namespace Kvm.Vmm.Devices;

/// <summary>
/// QEMU's isa-debug-exit: a guest write of value v, of any width at any port of the device's range, asks the VMM to
/// end with process status <c>(v &lt;&lt; 1) | 1</c>, so test guests can report success or failure to the host and
/// no guest-chosen status is 0. Only a machine whose user asked for it has one: otherwise a guest could pick the
/// VMM's exit status. Reads return all ones (the device has nothing to read).
/// </summary>
public sealed class IsaDebugExit(Action<int> exitRequested) : IPortDevice
{
    /// <summary>QEMU's default iobase.</summary>
    public const ushort DefaultIoBase = 0x501;

    /// <summary>QEMU's default iosize.</summary>
    public const ushort DefaultIoSize = 2;

    /// <summary>The process status a write of <paramref name="value"/> asks for, as the parent sees it (8 bits).</summary>
    public static int ExitStatus(uint value) => (int)(((value << 1) | 1) & 0xff);

    public void Read(ushort offset, Span<byte> data) => data.Fill(0xff);

    public void Write(ushort offset, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        // The value is little-endian, as the guest's out instruction put it; port I/O is at most 4 bytes wide.
        uint value = 0;
        for (int i = Math.Min(data.Length, 4) - 1; i >= 0; i--)
        {
            value = (value << 8) | data[i];
        }

        exitRequested(ExitStatus(value));
    }
}
