namespace Kvm.Vmm.Devices;

/// <summary>
/// Where a UART's transmitted bytes go: a bounded buffer the vCPU thread fills without ever blocking. When it has no
/// room the UART holds its transmitter busy, and <see cref="SpaceAvailable"/> tells it when room came back.
/// </summary>
public interface ISerialOutput
{
    /// <summary>
    /// Raised, on the host side's thread, once room comes back after <see cref="HasSpace"/> or <see cref="TryWrite"/>
    /// found too little. Handlers must not block.
    /// </summary>
    event Action? SpaceAvailable;

    /// <summary>Whether <paramref name="count"/> more bytes fit now; when not, <see cref="SpaceAvailable"/> follows once they do.</summary>
    bool HasSpace(int count);

    /// <summary>Queues one byte; false (the byte is not taken) when the buffer is full.</summary>
    bool TryWrite(byte value);
}
