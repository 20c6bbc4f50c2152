using NLog;

namespace Kvm.Vmm.Devices;

/// <summary>
/// Serial output into a stream (a file, the process's stdout): blocking writes, so a slow reader of a pipe holds the
/// buffer full and the guest waits. A write error drops that output (logged once) and the next write tries again.
/// </summary>
public sealed class StreamSerialSink(Stream stream) : ISerialSink
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private bool _failed;

    public int Write(ReadOnlySpan<byte> data)
    {
        try
        {
            stream.Write(data);
            stream.Flush();
            _failed = false;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            if (!_failed)
            {
                s_log.Warn(e, "Serial output lost: {Bytes} byte(s) could not be written", data.Length);
                _failed = true;
            }
        }

        return data.Length;
    }
}
