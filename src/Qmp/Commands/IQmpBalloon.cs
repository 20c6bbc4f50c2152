namespace Kvm.Qmp.Commands;

/// <summary>The machine's memory balloon as QMP sees it: query-balloon, balloon, and its QOM properties.</summary>
public interface IQmpBalloon
{
    /// <summary>Its QOM id under /machine/peripheral (libvirt's alias, balloon0).</summary>
    string Id { get; }

    /// <summary>The memory the guest has now, in bytes (RAM less the balloon).</summary>
    long ActualBytes { get; }

    /// <summary>Asks the guest to keep <paramref name="bytes"/> (positive; above RAM means all of it).</summary>
    void SetTarget(long bytes);

    /// <summary>The guest's last statistics (QOM guest-stats).</summary>
    QmpGuestStats GuestStats { get; }

    /// <summary>Seconds between statistics requests, 0 for none (QOM guest-stats-polling-interval).</summary>
    uint PollingInterval { get; set; }
}
