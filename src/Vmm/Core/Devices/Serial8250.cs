using NLog;

namespace Kvm.Vmm.Devices;

/// <summary>
/// A 16550A-style UART (the PC's COM1 at 0x3f8, IRQ 4), enough for Linux's 8250 driver: transmit with the
/// "transmitter empty" interrupt, receive from a bounded FIFO, divisor latch, scratch register and loopback.
/// Transmitted bytes go to the output stream at once; the guest never waits on the host.
/// </summary>
public sealed class Serial8250 : IPortDevice
{
    public const ushort Com1Port = 0x3f8;
    public const uint Com1Irq = 4;
    public const int FifoSize = 64;

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

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Lock _lock = new();
    private readonly Stream _output;
    private readonly IInterruptLine _irq;
    private readonly Queue<byte> _input = new(FifoSize);
    private byte _ier, _lcr, _mcr, _scratch, _fcr, _divisorLow = 0x0c, _divisorHigh;
    private bool _transmitInterruptPending;
    private bool _irqAsserted;

    public Serial8250(Stream output, IInterruptLine irq)
    {
        _output = output;
        _irq = irq;
    }

    /// <summary>Queues bytes for the guest to read; what does not fit in the FIFO is dropped, as a real UART would overrun.</summary>
    public int Enqueue(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
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

            UpdateInterrupt();
            return taken;
        }
    }

    public void Read(ushort offset, Span<byte> data)
    {
        data.Clear();
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
                return _input.Count > 0 && (_mcr & McrLoopback) == 0 ? _input.Dequeue() : (byte)0;
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
                return (byte)(LsrTransmitEmpty | (_input.Count > 0 ? LsrDataReady : 0));
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

                _transmitInterruptPending = true;
                break;
            case 1 when dlab:
                _divisorHigh = value;
                break;
            case 1:
                bool transmitNewlyEnabled = (value & IerTransmit) != 0 && (_ier & IerTransmit) == 0;
                _ier = (byte)(value & 0x0f);
                _transmitInterruptPending |= transmitNewlyEnabled;
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

    private void Transmit(byte value)
    {
        try
        {
            _output.WriteByte(value);
            if (value == (byte)'\n')
            {
                _output.Flush();
            }
        }
        catch (IOException e)
        {
            s_log.Debug(e, "Serial output lost");
        }
    }

    /// <summary>In loopback the modem outputs come back as inputs: RTS→CTS, DTR→DSR, OUT1→RI, OUT2→DCD.</summary>
    private static byte LoopbackStatus(byte mcr) =>
        (byte)(((mcr & 0x02) << 3) | ((mcr & 0x01) << 5) | ((mcr & 0x04) << 4) | ((mcr & 0x08) << 4));

    private void UpdateInterrupt()
    {
        bool pending = ((_ier & IerReceive) != 0 && _input.Count > 0) || ((_ier & IerTransmit) != 0 && _transmitInterruptPending);
        if (pending != _irqAsserted)
        {
            _irqAsserted = pending;
            _irq.Set(pending);
        }
    }
}
