using Kvm.Qmp.Commands;
using Kvm.Qmp.Protocol;

namespace Kvm.Qmp.Server;

public sealed record QmpServerOptions
{
    /// <summary>What the greeting and query-version report. libvirt needs a QEMU version it supports.</summary>
    public QmpVersionInfo Version { get; init; } = new(new QmpVersionTriple(7, 2, 0), "kvm-vmm");

    /// <summary>Offer the oob capability (exec-oob runs while in-band commands are queued).</summary>
    public bool AdvertiseOob { get; init; } = true;

    public QmpInputLimits InputLimits { get; init; } = QmpInputLimits.Default;

    /// <summary>Messages queued for one client; an event that finds the queue full disconnects that client.</summary>
    public int MaxQueuedMessages { get; init; } = 1024;

    /// <summary>In-band commands queued while oob is on (QEMU: QMP_REQ_QUEUE_LEN_MAX = 8); beyond it reading pauses.</summary>
    public int MaxQueuedCommands { get; init; } = 8;

    /// <summary>How long a closing session may take to flush its queue to the client.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(2);
}
