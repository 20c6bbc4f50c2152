using System.Buffers.Binary;
using NLog;

namespace Kvm.Vmm.Devices.Virtio.Balloon;

/// <summary>
/// virtio-balloon (virtio 1.2, 5.5): the host asks for a balloon of <c>num_pages</c> 4 KiB pages, the driver gives
/// pages on the inflate queue (released here with MADV_DONTNEED), takes them back on the deflate queue, and reports
/// how many it holds in <c>actual</c>. With VIRTIO_BALLOON_F_STATS_VQ the driver's memory statistics come on the
/// statistics queue (<see cref="BalloonStatsQueue"/>). Everything the guest sends is checked: a page number outside
/// RAM is skipped, a malformed ring fails this device only.
/// </summary>
public sealed partial class VirtioBalloon : IVirtioDevice
{
    public const ulong FeatureMustTellHost = 1UL << 0; // VIRTIO_BALLOON_F_MUST_TELL_HOST
    public const ulong FeatureStatsVq = 1UL << 1; // VIRTIO_BALLOON_F_STATS_VQ
    public const ulong FeatureDeflateOnOom = 1UL << 2; // VIRTIO_BALLOON_F_DEFLATE_ON_OOM

    /// <summary>The balloon's page size: 4 KiB whatever the host's (VIRTIO_BALLOON_PFN_SHIFT, 5.5.6).</summary>
    public const int PageShift = 12;

    public const int InflateQueue = 0;
    public const int DeflateQueue = 1;
    public const int StatsQueue = 2;

    private const int ConfigBytes = 8; // le32 num_pages, le32 actual (5.5.4)

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly VirtioBalloonConfig _config;
    private readonly ulong _ramBytes;
    private readonly Lock _gate = new();
    private QueueWorker? _inflate;
    private QueueWorker? _deflate;
    private BalloonStatsQueue? _stats;
    private IVirtioInterrupt? _interrupt;
    private uint _numPages;
    private uint _actual;
    private uint _statsPeriod;
    private BalloonStats _lastStats = BalloonStats.Empty;

    /// <param name="ramBytes">The guest's RAM, which the target and <see cref="ActualBytes"/> are relative to.</param>
    public VirtioBalloon(VirtioBalloonConfig config, ulong ramBytes)
    {
        _config = config;
        _ramBytes = ramBytes;
        _statsPeriod = config.StatsPeriodSeconds;
        Features = FeatureStatsVq | (config.DeflateOnOom ? FeatureDeflateOnOom : 0);
    }

    public ushort DeviceType => 5;

    public uint PciClassCode => 0x00_ff_00; // unclassified, as QEMU's virtio-balloon-pci

    public string Name => _config.Name;

    public ulong Features { get; }

    public int QueueCount => 3;

    public ushort QueueMaxSize => 128; // QEMU's

    public int ConfigSize => ConfigBytes;

    /// <summary>The pages the host asks the guest to give (num_pages).</summary>
    public uint TargetPages => Volatile.Read(ref _numPages);

    /// <summary>The pages the driver says it gave (actual, as it wrote it).</summary>
    public uint ActualPages => Volatile.Read(ref _actual);

    /// <summary>The memory the guest has now: RAM less the balloon (QEMU's query-balloon actual).</summary>
    public ulong ActualBytes => _ramBytes - Math.Min((ulong)ActualPages << PageShift, _ramBytes);

    /// <summary>The guest's last statistics (<see cref="BalloonStats.Empty"/> until it sends some).</summary>
    public BalloonStats Stats => Volatile.Read(ref _lastStats);

    /// <summary>Seconds between statistics requests; 0 for none (QOM guest-stats-polling-interval).</summary>
    public uint StatsPeriodSeconds
    {
        get => Volatile.Read(ref _statsPeriod);
        set
        {
            Volatile.Write(ref _statsPeriod, value);
            lock (_gate)
            {
                _stats?.PeriodChanged();
            }
        }
    }

    /// <summary>
    /// Asks the guest to keep <paramref name="bytes"/> of memory (QMP balloon): num_pages becomes RAM less the target
    /// (a target above RAM is RAM, an empty balloon), and the driver learns it through a configuration change.
    /// </summary>
    public void SetTarget(ulong bytes)
    {
        ulong target = Math.Min(bytes, _ramBytes);
        uint pages = (uint)Math.Min((_ramBytes - target) >> PageShift, uint.MaxValue);
        Volatile.Write(ref _numPages, pages);
        IVirtioInterrupt? interrupt;
        lock (_gate)
        {
            interrupt = _interrupt;
        }

        s_log.Debug("{Device}: target {Target} bytes ({Pages} pages in the balloon)", Name, target, pages);
        interrupt?.NotifyConfigChange();
    }

    public void ReadConfig(int offset, Span<byte> data)
    {
        Span<byte> config = stackalloc byte[ConfigBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(config, TargetPages);
        BinaryPrimitives.WriteUInt32LittleEndian(config[4..], ActualPages);
        if ((uint)offset <= ConfigBytes && (uint)data.Length <= (uint)(ConfigBytes - offset))
        {
            config.Slice(offset, data.Length).CopyTo(data);
        }
    }

    /// <summary>The driver writes <c>actual</c>; num_pages is the host's, and a write to it or past the structure is dropped.</summary>
    public void WriteConfig(int offset, ReadOnlySpan<byte> data)
    {
        if ((uint)offset > ConfigBytes || (uint)data.Length > (uint)(ConfigBytes - offset) || offset + data.Length <= 4)
        {
            return;
        }

        lock (_gate)
        {
            Span<byte> actual = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(actual, _actual);
            int from = Math.Max(offset, 4);
            data[(from - offset)..].CopyTo(actual[(from - 4)..]);
            Volatile.Write(ref _actual, BinaryPrimitives.ReadUInt32LittleEndian(actual));
        }
    }

    public void Activate(VirtioActivation activation)
    {
        lock (_gate)
        {
            _interrupt = activation.Interrupt;
            if (activation.Queues[InflateQueue] is { } inflate)
            {
                _inflate = new QueueWorker(Name, InflateQueue, inflate, activation.Kicks[InflateQueue], activation.Interrupt, chain => Inflate(activation.Memory, chain));
            }

            if (activation.Queues[DeflateQueue] is { } deflate)
            {
                _deflate = new QueueWorker(Name, DeflateQueue, deflate, activation.Kicks[DeflateQueue], activation.Interrupt, static _ => 0);
            }

            if (activation.Has(FeatureStatsVq) && activation.Queues[StatsQueue] is { } stats)
            {
                _stats = new BalloonStatsQueue(Name, StatsQueue, stats, activation.Kicks[StatsQueue], activation.Interrupt, activation.Memory,
                    () => StatsPeriodSeconds, OnStats);
            }
        }
    }

    /// <summary>Stops the queues. A reset driver starts with an empty balloon, so <c>actual</c> goes back to 0; the target stays.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _inflate?.Dispose();
            _deflate?.Dispose();
            _stats?.Dispose();
            _inflate = _deflate = null;
            _stats = null;
            _interrupt = null;
            Volatile.Write(ref _actual, 0);
        }
    }

    public void Dispose() => Reset();

    private void OnStats(ReadOnlySpan<byte> buffer) =>
        Volatile.Write(ref _lastStats, BalloonStats.Parse(buffer, Stats, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
}
