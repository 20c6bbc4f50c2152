using NLog;

namespace Kvm.Vmm.Devices;

/// <summary>
/// A 16550A-style UART (the PC's COM1 at 0x3f8, IRQ 4), enough for Linux's 8250 driver: transmit with the
/// "transmitter empty" interrupt, receive from a bounded FIFO, divisor latch, scratch register and loopback.
/// Transmitted bytes go to an <see cref="ISerialOutput"/>, a bounded buffer the vCPU thread never waits on; while it
/// is (nearly) full the transmitter reads as busy (LSR THRE and TEMT clear, no "transmitter empty" interrupt), so the
/// guest's driver waits, and the interrupt comes once the host side has taken bytes (back-pressure).
/// </summary>
public sealed class Serial8250 : IPortDevice, IDisposable
{
    public const ushort Com1Port = 0x3f8;
    public const uint Com1Irq = 4;
    public const int FifoSize = 64;

    /// <summary>
    /// Room the output must have for the transmitter to read as empty. Linux's driver writes up to a FIFO's worth
    /// (16 bytes) per "transmitter empty", but its console (printk) path gives up waiting for THRE after 10 ms and
    /// writes anyway; this much headroom absorbs about 40 s of that before a byte is lost.
    /// </summary>
    public const int TransmitHeadroom = 4096;

    private const byte IerReceive = 0x01;
    private const byte IerTransmit = 0x02;
    private const byte IirNone = 0x01;
    private const byte IirTransmitEmpty = 0x02;
    private const byte IirReceive = 0x04;
    private const byte IirFifoEnabled = 0xc0;
    private const byte LcrDlab = 0x80;
    private const byte LsrDataReady = 0x01;
    private const byte LsrTransmitEmpty = 0x20 | 0x40;
    private const byte McrLoopback = 0x10;
    private const byte MsrConnected = 0xb0; // DCD, DSR, CTS
    private const long OverrunLogIntervalMs = 10_000;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Lock _lock = new();
    private readonly ISerialOutput _output;
    private readonly IInterruptLine _irq;
    private readonly Queue<byte> _input = new(FifoSize);
    private byte _ier, _lcr, _mcr, _scratch, _fcr, _divisorLow = 0x0c, _divisorHigh;
    private bool _transmitInterruptPending;
    private bool _awaitingSpace;
    private bool _inputRefused;
    private bool _irqAsserted;
    private bool _disposed;
    private long _overruns;
    private long _nextOverrunLog;

    public Serial8250(ISerialOutput output, IInterruptLine irq)
    {
        _output = output;
        _irq = irq;
        _output.SpaceAvailable += OnSpaceAvailable;
    }

    /// <summary>
    /// The guest read from a receive FIFO that had refused host input: the producer may offer the rest now. Raised on
    /// the vCPU thread under the UART's lock, so a handler only signals (it must not call back into the UART).
    /// </summary>
    public event Action? ReceiveRoomFreed;

    /// <summary>Bytes the guest wrote to THR while the output was full (dropped, as a real UART overruns).</summary>
    public long TransmitOverruns
    {
        get
        {
            lock (_lock)
            {
                return _overruns;
            }
        }
    }

    /// <summary>Bytes in the receive FIFO (never more than <see cref="FifoSize"/>).</summary>
    internal int ReceiveFifoCount
    {
        get
        {
            lock (_lock)
            {
                return _input.Count;
            }
        }
    }

    /// <summary>Detaches from the output (which outlives this UART when the machine is rebuilt) and stops interrupting.</summary>
    public void Dispose()
    {
        _output.SpaceAvailable -= OnSpaceAvailable;
        lock (_lock)
        {
            _disposed = true;
        }
    }

    /// <summary>
    /// Queues bytes for the guest to read and returns how many fit in the receive FIFO; the caller keeps the rest and
    /// offers it again once the guest has read (host input is never dropped here). A disposed UART takes nothing.
    /// </summary>
    public int Enqueue(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return 0;
            }

            int taken = 0;
            foreach (byte b in bytes)
            {
                if (_input.Count >= FifoSize)
                {
                    break;
                }

                _input.Enqueue(b);
                taken++;
            }

            _inputRefused |= taken < bytes.Length;

            UpdateInterrupt();
            return taken;
        }
    }

    public void Read(ushort offset, Span<byte> data)
    {
        data.Clear();
        if (data.IsEmpty)
        {
            return;
        }

        lock (_lock)
        {
            data[0] = ReadRegister(offset);
            UpdateInterrupt();
        }
    }

    public void Write(ushort offset, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        lock (_lock)
        {
            WriteRegister(offset, data[0]);
            UpdateInterrupt();
        }
    }

    private byte ReadRegister(ushort offset)
    {
        bool dlab = (_lcr & LcrDlab) != 0;
        switch (offset)
        {
            case 0 when dlab:
                return _divisorLow;
            case 0:
                return _input.Count > 0 && (_mcr & McrLoopback) == 0 ? TakeReceived() : (byte)0;
            case 1 when dlab:
                return _divisorHigh;
            case 1:
                return _ier;
            case 2:
                byte fifo = (_fcr & 1) != 0 ? IirFifoEnabled : (byte)0;
                if ((_ier & IerReceive) != 0 && _input.Count > 0)
                {
                    return (byte)(IirReceive | fifo);
                }

                if ((_ier & IerTransmit) != 0 && _transmitInterruptPending)
                {
                    _transmitInterruptPending = false; // reading IIR acknowledges "transmitter empty"
                    return (byte)(IirTransmitEmpty | fifo);
                }

                return (byte)(IirNone | fifo);
            case 3:
                return _lcr;
            case 4:
                return _mcr;
            case 5:
                return (byte)((TransmitterReady() ? LsrTransmitEmpty : 0) | (_input.Count > 0 ? LsrDataReady : 0));
            case 6:
                return (_mcr & McrLoopback) != 0 ? LoopbackStatus(_mcr) : MsrConnected;
            case 7:
                return _scratch;
            default:
                return 0xff;
        }
    }

    private void WriteRegister(ushort offset, byte value)
    {
        bool dlab = (_lcr & LcrDlab) != 0;
        switch (offset)
        {
            case 0 when dlab:
                _divisorLow = value;
                break;
            case 0:
                if ((_mcr & McrLoopback) == 0)
                {
                    Transmit(value);
                }

                // The byte left THR at once, unless the output is now too full: then "empty" waits for the host side.
                _transmitInterruptPending = TransmitterReady();
                _awaitingSpace = !_transmitInterruptPending;
                break;
            case 1 when dlab:
                _divisorHigh = value;
                break;
            case 1:
                bool transmitNewlyEnabled = (value & IerTransmit) != 0 && (_ier & IerTransmit) == 0;
                _ier = (byte)(value & 0x0f);
                if (transmitNewlyEnabled)
                {
                    // Enabling the interrupt while THR is empty raises it at once (Linux's THRE test relies on it).
                    bool ready = TransmitterReady();
                    _transmitInterruptPending |= ready;
                    _awaitingSpace |= !ready;
                }

                break;
            case 2:
                _fcr = value;
                if ((value & 0x02) != 0)
                {
                    _input.Clear();
                }

                break;
            case 3:
                _lcr = value;
                break;
            case 4:
                _mcr = (byte)(value & 0x1f);
                break;
            case 7:
                _scratch = value;
                break;
        }
    }

    /// <summary>In loopback nothing goes out, so the transmitter is always ready.</summary>
    private bool TransmitterReady() => (_mcr & McrLoopback) != 0 || _output.HasSpace(TransmitHeadroom);

    private void Transmit(byte value)
    {
        if (_output.TryWrite(value))
        {
            return;
        }

        // The guest wrote THR without waiting for THRE while the output was full: a real UART overruns too.
        _overruns++;
        long now = Environment.TickCount64;
        if (now >= _nextOverrunLog)
        {
            _nextOverrunLog = now + OverrunLogIntervalMs;
            s_log.Debug("Serial transmit overrun: the guest wrote while the output was full; {Dropped} byte(s) dropped so far", _overruns);
        }
    }

    private byte TakeReceived()
    {
        byte value = _input.Dequeue();
        if (_inputRefused)
        {
            _inputRefused = false;
            ReceiveRoomFreed?.Invoke();
        }

        return value;
    }

    /// <summary>The host side took bytes: if the guest waits for "transmitter empty", it comes now.</summary>
    private void OnSpaceAvailable()
    {
        lock (_lock)
        {
            if (_disposed || !_awaitingSpace || !TransmitterReady())
            {
                return;
            }

            _awaitingSpace = false;
            _transmitInterruptPending = true;
            UpdateInterrupt();
        }
    }

    /// <summary>In loopback the modem outputs come back as inputs: RTS→CTS, DTR→DSR, OUT1→RI, OUT2→DCD.</summary>
    private static byte LoopbackStatus(byte mcr) =>
        (byte)(((mcr & 0x02) << 3) | ((mcr & 0x01) << 5) | ((mcr & 0x04) << 4) | ((mcr & 0x08) << 4));

    private void UpdateInterrupt()
    {
        if (_disposed)
        {
            return;
        }

        bool pending = ((_ier & IerReceive) != 0 && _input.Count > 0) || ((_ier & IerTransmit) != 0 && _transmitInterruptPending);
        if (pending != _irqAsserted)
        {
            _irqAsserted = pending;
            _irq.Set(pending);
        }
    }
}
