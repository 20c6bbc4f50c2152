using Kvm.DomainXml;
using Kvm.Driver.Vmm;

namespace Kvm.Driver.Domains;

/// <summary>
/// One domain of the driver core. Its fields are guarded by <see cref="DomainTable.Gate"/>; <see cref="Job"/> serialises
/// the operations that talk to the VMM or rename it (libvirt's domain job), and is never held by the VMM's event handling.
/// </summary>
internal sealed class DomainEntry
{
    public DomainEntry(Guid uuid, string name)
    {
        Uuid = uuid;
        Name = name;
    }

    public Guid Uuid { get; }

    public string Name { get; set; }

    /// <summary>The persistent definition; null for a transient domain.</summary>
    public DomainDocument? Persistent { get; set; }

    /// <summary>The running definition (with its id); null while inactive.</summary>
    public DomainDocument? Live { get; set; }

    public bool Autostart { get; set; }

    /// <summary>The persistent definition was replaced while the domain ran.</summary>
    public bool Updated { get; set; }

    public DomainState State { get; set; } = DomainState.Shutoff;

    public int Reason { get; set; } = DomainStateReason.Unknown;

    public int Id { get; set; } = -1;

    public VmmInstance? Vmm { get; set; }

    /// <summary>kvmd is killing the process (destroy): its exit is DESTROYED, its SHUTDOWN events are ignored.</summary>
    public bool Destroying { get; set; }

    /// <summary>A reboot kvmd asked for and where it is; the VMM holds a guest power-off while it is not None.</summary>
    public RebootPhase Reboot { get; set; }

    /// <summary>Completes when the running VMM's exit has been handled (state shut off, files cleaned).</summary>
    public TaskCompletionSource? Stopped { get; set; }

    /// <summary>Removed from the table (undefined, or a transient domain that stopped).</summary>
    public bool Removed { get; set; }

    public SemaphoreSlim Job { get; } = new(1, 1);

    /// <summary>The QMP events of stop and cont commands in flight, paired with the commands.</summary>
    public CommandEchoes Echoes { get; } = new();

    public bool Active => DomainStateMachine.IsActive(State);

    public DomainDocument Current => Live ?? Persistent!;
}
