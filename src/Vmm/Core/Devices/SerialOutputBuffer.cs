using NLog;

namespace Kvm.Vmm.Devices;

/// <summary>
/// A serial port's output on the host side: a bounded ring the vCPU thread fills a byte at a time (no allocation, no
/// waiting), drained by one writer thread into an <see cref="ISerialSink"/> in writes as large as what has piled up.
/// A slow reader fills the ring and the UART then holds its transmitter busy (back-pressure) until the writer frees
/// room; nothing is lost. The ring outlives machine rebuilds (guest reset): it belongs to the VM's serial endpoint.
/// </summary>
public sealed class SerialOutputBuffer : ISerialOutput, IDisposable
{
    public const int DefaultCapacity = 64 * 1024;

    /// <summary>How long <see cref="Dispose"/> lets the writer pass on what is still buffered.</summary>
    public static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(2);

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    // A monitor rather than a Lock: the writer sleeps on it while the ring is empty.
    private readonly object _gate = new();
    private readonly byte[] _ring;
    private readonly ISerialSink _sink;
    private readonly Thread _writer;
    private int _head;
    private int _count;
    private int _wanted;
    private bool _writerWaiting;
    private bool _stopping;
    private long _stopDeadline;

    public SerialOutputBuffer(ISerialSink sink, int capacity = DefaultCapacity, string name = "serial-output")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _sink = sink;
        _ring = new byte[capacity];
        _writer = new Thread(Drain) { Name = name, IsBackground = true };
        _writer.Start();
    }

    public event Action? SpaceAvailable;

    public int Capacity => _ring.Length;

    /// <summary>Bytes waiting for the sink.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public bool HasSpace(int count)
    {
        lock (_gate)
        {
            if (_ring.Length - _count >= count)
            {
                return true;
            }

            _wanted = Math.Max(_wanted, Math.Min(count, _ring.Length));
            return false;
        }
    }

    public bool TryWrite(byte value)
    {
        lock (_gate)
        {
            if (_count == _ring.Length)
            {
                _wanted = Math.Max(_wanted, 1);
                return false;
            }

            int tail = _head + _count;
            _ring[tail >= _ring.Length ? tail - _ring.Length : tail] = value;
            _count++;
            if (_writerWaiting)
            {
                _writerWaiting = false;
                Monitor.Pulse(_gate);
            }

            return true;
        }
    }

    /// <summary>Lets the writer pass on what is buffered (for up to <see cref="FlushTimeout"/>), then stops it.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            _stopDeadline = Environment.TickCount64 + (long)FlushTimeout.TotalMilliseconds;
            Monitor.PulseAll(_gate);
        }

        // A sink that blocks (a pipe nobody reads) may hold the writer past the deadline; it is a background thread.
        if (!_writer.Join(FlushTimeout + TimeSpan.FromSeconds(1)))
        {
            s_log.Warn("Serial output: the host side did not take the last {Bytes} byte(s)", Count);
        }
    }

    private void Drain()
    {
        while (true)
        {
            int start, length;
            lock (_gate)
            {
                while (_count == 0)
                {
                    if (_stopping)
                    {
                        return;
                    }

                    _writerWaiting = true;
                    Monitor.Wait(_gate);
                }

                if (_stopping && Environment.TickCount64 > _stopDeadline)
                {
                    s_log.Warn("Serial output: the host side did not take the last {Bytes} byte(s)", _count);
                    return;
                }

                // Producers only append after head + count, so this stretch stays put while the sink reads it unlocked.
                start = _head;
                length = Math.Min(_count, _ring.Length - _head);
            }

            int taken = Math.Clamp(_sink.Write(_ring.AsSpan(start, length)), 0, length);
            Action? notify = null;
            lock (_gate)
            {
                _head = (_head + taken) % _ring.Length;
                _count -= taken;
                if (_wanted > 0 && _ring.Length - _count >= _wanted)
                {
                    _wanted = 0;
                    notify = SpaceAvailable;
                }
            }

            // Outside the gate: the handler takes the UART's lock, which is held while it calls HasSpace/TryWrite.
            notify?.Invoke();
        }
    }
}
