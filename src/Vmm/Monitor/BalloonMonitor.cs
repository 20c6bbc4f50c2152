using Kvm.Qmp.Commands;
using Kvm.Vmm.Devices.Virtio.Balloon;

namespace Kvm.Vmm.Monitor;

/// <summary>
/// The machine's balloon for the monitor (query-balloon, balloon, QOM guest-stats and guest-stats-polling-interval). The
/// target and the polling interval outlive the device: a reset builds a new machine, which gets them again, as QEMU's
/// balloon keeps them across system_reset.
/// </summary>
internal sealed class BalloonMonitor(string id, ulong ramBytes, uint pollingInterval) : IQmpBalloon
{
    private readonly Lock _gate = new();
    private VirtioBalloon? _device;
    private long? _target;
    private uint _pollingInterval = pollingInterval;

    public string Id { get; } = id;

    public long ActualBytes
    {
        get
        {
            lock (_gate)
            {
                return (long)(_device?.ActualBytes ?? ramBytes);
            }
        }
    }

    public QmpGuestStats GuestStats
    {
        get
        {
            BalloonStats stats;
            lock (_gate)
            {
                stats = _device?.Stats ?? BalloonStats.Empty;
            }

            return new QmpGuestStats(new QmpGuestStatsValues
            {
                SwapIn = stats[BalloonStatTag.SwapIn],
                SwapOut = stats[BalloonStatTag.SwapOut],
                MajorFaults = stats[BalloonStatTag.MajorFaults],
                MinorFaults = stats[BalloonStatTag.MinorFaults],
                FreeMemory = stats[BalloonStatTag.FreeMemory],
                TotalMemory = stats[BalloonStatTag.TotalMemory],
                AvailableMemory = stats[BalloonStatTag.AvailableMemory],
                DiskCaches = stats[BalloonStatTag.DiskCaches],
                HugetlbAllocations = stats[BalloonStatTag.HugetlbAllocations],
                HugetlbFailures = stats[BalloonStatTag.HugetlbFailures],
            }, stats.LastUpdate);
        }
    }

    public uint PollingInterval
    {
        get
        {
            lock (_gate)
            {
                return _pollingInterval;
            }
        }
        set
        {
            lock (_gate)
            {
                _pollingInterval = value;
                _device?.StatsPeriodSeconds = value;
            }
        }
    }

    public void SetTarget(long bytes)
    {
        lock (_gate)
        {
            _target = bytes;
            _device?.SetTarget((ulong)bytes);
        }
    }

    /// <summary>Called for every machine built: its balloon gets the target and interval the monitor last set.</summary>
    public void Attach(VirtioBalloon? device)
    {
        lock (_gate)
        {
            _device = device;
            if (device is null)
            {
                return;
            }

            device.StatsPeriodSeconds = _pollingInterval;
            if (_target is { } target)
            {
                device.SetTarget((ulong)target);
            }
        }
    }
}
