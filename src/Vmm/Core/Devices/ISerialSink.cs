namespace Kvm.Vmm.Devices;

/// <summary>
/// The host end of a serial port's output (a file, stdout, a pty, a socket client), written by one writer thread.
/// </summary>
public interface ISerialSink
{
    /// <summary>
    /// Takes bytes from the front of <paramref name="data"/> and returns how many: written to the reader, or discarded
    /// when nobody is connected. Returns 0 when a reader is connected but has no room now, after waiting a little (at
    /// most a fraction of a second) for it, so the caller can look again. Never throws for I/O errors.
    /// </summary>
    int Write(ReadOnlySpan<byte> data);
}
