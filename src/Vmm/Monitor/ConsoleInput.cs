using NLog;

namespace Kvm.Vmm.Monitor;

/// <summary>
/// Copies what the host side of the serial console types into the guest's UART, on its own thread. What the receive
/// FIFO cannot take yet is offered again once the guest has read room free (the UART's signal, or every 50 ms without
/// one): input is never dropped for a full FIFO.
/// </summary>
internal sealed class ConsoleInput : IDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Stream _source;
    private readonly Func<ReadOnlySpan<byte>, int> _deliver;
    private readonly WaitHandle? _roomFreed;
    private volatile bool _disposed;

    private ConsoleInput(Stream source, Func<ReadOnlySpan<byte>, int> deliver, WaitHandle? roomFreed)
    {
        _source = source;
        _deliver = deliver;
        _roomFreed = roomFreed;
    }

    /// <summary>
    /// Pumps <paramref name="source"/> into <paramref name="deliver"/>, which returns how many bytes it took; after a
    /// partial delivery it waits for <paramref name="roomFreed"/> (at most 50 ms) before offering the rest.
    /// </summary>
    public static ConsoleInput? Start(Stream? source, Func<ReadOnlySpan<byte>, int> deliver, WaitHandle? roomFreed = null)
    {
        if (source is null)
        {
            return null;
        }

        var input = new ConsoleInput(source, deliver, roomFreed);
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
                    WaitForRoom();
                }
            }
        }

        s_log.Debug("Console input ended");
    }

    private void WaitForRoom()
    {
        if (_roomFreed is null)
        {
            Thread.Sleep(5);
        }
        else
        {
            try
            {
                _roomFreed.WaitOne(50);
            }
            catch (ObjectDisposedException)
            {
                // The machine is gone (the process is ending): nothing will take the rest.
                _disposed = true;
            }
        }
    }
}
