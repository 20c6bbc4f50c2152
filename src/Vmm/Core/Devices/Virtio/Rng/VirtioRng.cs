using Microsoft.Win32.SafeHandles;
using NLog;

namespace Kvm.Vmm.Devices.Virtio.Rng;

/// <summary>
/// virtio-rng (virtio 1.2, 5.4): one queue whose device-writable buffers are filled from a host random device, at most
/// <see cref="VirtioRngConfig.RateBytes"/> bytes per period when the XML limits it (a token bucket: a guest that asks
/// for more waits, on the device's thread, never on a vCPU).
/// </summary>
public sealed class VirtioRng : IVirtioDevice
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly VirtioRngConfig _config;
    private readonly SafeFileHandle _source;
    private readonly Lock _gate = new();
    private QueueWorker? _worker;
    private volatile bool _stopping;
    private long _tokens;
    private long _refilled = Environment.TickCount64;

    public VirtioRng(VirtioRngConfig config)
    {
        _config = config;
        _source = File.OpenHandle(config.SourcePath, FileMode.Open, FileAccess.Read);
        _tokens = config.RateBytes ?? 0;
    }

    public ushort DeviceType => 4;

    public uint PciClassCode => 0x00_ff_00; // unclassified, as QEMU's virtio-rng-pci

    public string Name => _config.Name;

    public ulong Features => 0;

    public int QueueCount => 1;

    public ushort QueueMaxSize => 64;

    public int ConfigSize => 0;

    public void ReadConfig(int offset, Span<byte> data)
    {
    }

    public void WriteConfig(int offset, ReadOnlySpan<byte> data)
    {
    }

    public void Activate(VirtioActivation activation)
    {
        lock (_gate)
        {
            _stopping = false;
            if (activation.Queues[0] is { } queue)
            {
                _worker = new QueueWorker(Name, 0, queue, activation.Kicks[0], activation.Interrupt, chain => Fill(activation, chain));
            }
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _stopping = true;
            _worker?.Dispose();
            _worker = null;
        }
    }

    public void Dispose()
    {
        Reset();
        _source.Dispose();
    }

    private uint Fill(VirtioActivation activation, DescriptorChain chain)
    {
        uint written = 0;
        foreach (var segment in chain.Segments)
        {
            if (!segment.DeviceWritable)
            {
                continue;
            }

            int want = (int)Math.Min(segment.Length, 64 * 1024);
            int allowed = Take(want);
            if (allowed == 0 || !activation.Memory.TryGetSpan(segment.Address, allowed, out var span))
            {
                break;
            }

            int read;
            try
            {
                read = RandomAccess.Read(_source, span, 0);
            }
            catch (IOException e)
            {
                s_log.Warn("{Device}: reading {Source} failed: {Error}", Name, _config.SourcePath, e.Message);
                break;
            }

            written += (uint)read;
            if (read < allowed)
            {
                break;
            }
        }

        return written;
    }

    /// <summary>Up to <paramref name="want"/> bytes the rate allows now, waiting for the bucket to refill when it is empty.</summary>
    private int Take(int want)
    {
        if (_config.RateBytes is not { } rate || _config.RatePeriodMilliseconds is not { } period || rate == 0)
        {
            return want;
        }

        while (!_stopping)
        {
            long now = Environment.TickCount64;
            long periods = (now - _refilled) / period;
            if (periods > 0)
            {
                _tokens = Math.Min(rate, _tokens + (periods * rate));
                _refilled += periods * period;
            }

            if (_tokens > 0)
            {
                int granted = (int)Math.Min(want, _tokens);
                _tokens -= granted;
                return granted;
            }

            Thread.Sleep((int)Math.Clamp(_refilled + period - now, 1, 100));
        }

        return 0;
    }
}
