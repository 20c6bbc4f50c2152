using NLog;

namespace Kvm.Vmm.Monitor;

/// <summary>
/// Copies what the host side of the serial console types into the guest's UART, on its own thread. What the receive
/// FIFO cannot take yet is offered again until the guest has read room free: input is never dropped for a full FIFO.
/// </summary>
internal sealed class ConsoleInput : IDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Stream _source;
    private readonly Func<ReadOnlySpan<byte>, int> _deliver;
    private volatile bool _disposed;

    private ConsoleInput(Stream source, Func<ReadOnlySpan<byte>, int> deliver)
    {
        _source = source;
        _deliver = deliver;
    }

    /// <summary>Pumps <paramref name="source"/> into <paramref name="deliver"/>, which returns how many bytes it took.</summary>
    public static ConsoleInput? Start(Stream? source, Func<ReadOnlySpan<byte>, int> deliver)
    {
        if (source is null)
        {
            return null;
        }

        var input = new ConsoleInput(source, deliver);
        new Thread(input.Pump) { Name = "console-input", IsBackground = true }.Start();
        return input;
    }

    public void Dispose() => _disposed = true;

    private void Pump()
    {
        var buffer = new byte[256];
        while (!_disposed)
        {
            int read;
            try
            {
                read = _source.Read(buffer);
            }
            catch (IOException)
            {
                // A pty without a reader, or a non-blocking read with nothing to take: look again shortly.
                Thread.Sleep(50);
                continue;
            }

            if (read == 0)
            {
                return;
            }

            var pending = buffer.AsSpan(0, read);
            while (!pending.IsEmpty && !_disposed)
            {
                int taken = _deliver(pending);
                pending = pending[taken..];
                if (!pending.IsEmpty)
                {
                    Thread.Sleep(5);
                }
            }
        }

        s_log.Debug("Console input ended");
    }
}
