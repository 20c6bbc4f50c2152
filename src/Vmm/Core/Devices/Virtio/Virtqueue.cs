using System.Numerics;
using Kvm.Vmm.Memory;
using NLog;
using static Kvm.Vmm.Devices.Virtio.VirtqueueLayout;

namespace Kvm.Vmm.Devices.Virtio;

/// <summary>
/// The device side of one split virtqueue (virtio 1.2 §2.7), written for a hostile driver: the transport sets the
/// registers (<see cref="Size"/>, ring addresses, vector), <see cref="TryActivate"/> checks and snapshots them, then
/// the device takes chains with <see cref="TryPop"/>, returns them with <see cref="TryAddUsed"/> and asks
/// <see cref="NeedsInterrupt"/> whether to signal. Anything the guest gets wrong fails the queue (logged once at Warn,
/// <see cref="IsFailed"/> until <see cref="Reset"/>; the transport then sets DEVICE_NEEDS_RESET): never an exception,
/// never unbounded work. Not thread-safe: one device thread (or the device's lock) owns a queue.
/// </summary>
public sealed partial class Virtqueue
{
    public const ushort NoVector = 0xffff; // §4.1.5.1.2 VIRTIO_MSI_NO_VECTOR

    private const long WarnIntervalMs = 10_000;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private static long s_nextWarn; // Environment.TickCount64 before which guest-caused warnings are only counted
    private static long s_suppressedWarns;

    // Snapshot of the registers taken by TryActivate: the guest rewriting them afterwards changes nothing.
    private GuestMemory? _memory;
    private ushort _size;
    private ulong _descriptorTable;
    private ulong _availableRing;
    private ulong _usedRing;
    private bool _eventIdx;
    private bool _indirect;

    private ushort _nextAvail;
    private ushort _nextUsed;
    private ushort _signalledUsed; // used idx when NeedsInterrupt last decided
    private uint _addedSinceSignal; // used elements published since then (more than 65535 defeats the 16-bit compare)
    private ushort _stagedUsed; // used elements written after _nextUsed but not yet published (TryStageUsed)
    private bool _notificationsEnabled;
    private string? _failure;

    /// <param name="maxSize">The largest queue size the device offers: a power of two, at most 32768.</param>
    public Virtqueue(ushort maxSize)
    {
        if (maxSize == 0 || maxSize > MaxQueueSize || !BitOperations.IsPow2(maxSize))
        {
            throw new ArgumentOutOfRangeException(nameof(maxSize), maxSize, "Queue size must be a power of two of at most 32768");
        }

        MaxSize = maxSize;
        Reset();
    }

    public ushort MaxSize { get; }

    /// <summary>queue_size register: the driver may lower it (to a power of two); checked at activation.</summary>
    public ushort Size { get; set; }

    /// <summary>queue_desc register (guest physical address of the descriptor table).</summary>
    public ulong DescriptorTable { get; set; }

    /// <summary>queue_driver register (guest physical address of the available ring).</summary>
    public ulong AvailableRing { get; set; }

    /// <summary>queue_device register (guest physical address of the used ring).</summary>
    public ulong UsedRing { get; set; }

    /// <summary>queue_msix_vector register; <see cref="NoVector"/> for none.</summary>
    public ushort MsixVector { get; set; }

    /// <summary>Whether <see cref="TryActivate"/> succeeded (and no <see cref="Reset"/> since).</summary>
    public bool Enabled { get; private set; }

    /// <summary>Whether the guest broke the queue; it stays failed until <see cref="Reset"/>.</summary>
    public bool IsFailed => _failure is not null;

    /// <summary>Why the queue failed, or null.</summary>
    public string? FailureReason => _failure;

    /// <summary>Index into the available ring of the next chain to take (the device's last_avail_idx).</summary>
    public ushort NextAvail => _nextAvail;

    /// <summary>Index into the used ring of the next element to publish (the used idx the driver sees).</summary>
    public ushort NextUsed => _nextUsed;

    /// <summary>A chain sized for this queue's largest chain, to reuse across pops.</summary>
    public DescriptorChain CreateChain() => new(ChainCapacity(MaxSize));

    /// <summary>
    /// Checks the registers and starts the queue: size nonzero, a power of two and at most <see cref="MaxSize"/>;
    /// descriptor table, available and used rings aligned 16/2/4 and each wholly in one RAM region. On failure the
    /// queue stays disabled and <paramref name="error"/> says why (the driver's fault, for the transport to report).
    /// </summary>
    public bool TryActivate(GuestMemory memory, bool eventIdx, bool indirect, out string? error)
    {
        ArgumentNullException.ThrowIfNull(memory);
        error = Validate(memory);
        if (error is not null)
        {
            WarnRateLimited("Virtqueue not activated: {Reason} ({Suppressed} similar warnings suppressed)", error);
            return false;
        }

        _memory = memory;
        _size = Size;
        _descriptorTable = DescriptorTable;
        _availableRing = AvailableRing;
        _usedRing = UsedRing;
        _eventIdx = eventIdx;
        _indirect = indirect;
        _nextAvail = 0;
        _nextUsed = 0;
        _signalledUsed = 0;
        _addedSinceSignal = 0;
        _stagedUsed = 0;
        _notificationsEnabled = true;
        _failure = null;
        Enabled = true;
        return true;
    }

    /// <summary>Back to power-on values: disabled, not failed, registers at their defaults.</summary>
    public void Reset()
    {
        Enabled = false;
        _memory = null;
        _failure = null;
        _size = 0;
        _descriptorTable = _availableRing = _usedRing = 0;
        _eventIdx = _indirect = false;
        _nextAvail = _nextUsed = _signalledUsed = 0;
        _addedSinceSignal = 0;
        _stagedUsed = 0;
        _notificationsEnabled = true;
        Size = MaxSize;
        DescriptorTable = AvailableRing = UsedRing = 0;
        MsixVector = NoVector;
    }

    /// <summary>
    /// Sets the ring positions of an enabled queue, for restoring a saved device (and tests near the 16-bit wrap):
    /// the used ring's idx must already hold <paramref name="nextUsed"/>.
    /// </summary>
    internal void SetRingPositions(ushort nextAvail, ushort nextUsed)
    {
        _nextAvail = nextAvail;
        _nextUsed = nextUsed;
        _signalledUsed = nextUsed;
        _addedSinceSignal = 0;
        _stagedUsed = 0;
    }

    private string? Validate(GuestMemory memory)
    {
        ushort size = Size;
        if (size == 0 || size > MaxSize || !BitOperations.IsPow2(size))
        {
            return $"Queue size {size} is not a power of two between 1 and {MaxSize}";
        }

        if (DescriptorTable % DescriptorAlignment != 0 || AvailableRing % AvailableAlignment != 0 || UsedRing % UsedAlignment != 0)
        {
            return $"Ring addresses 0x{DescriptorTable:x}/0x{AvailableRing:x}/0x{UsedRing:x} are not aligned 16/2/4";
        }

        if (!memory.IsRam(DescriptorTable, DescriptorTableBytes(size)))
        {
            return $"Descriptor table at 0x{DescriptorTable:x} is not wholly in RAM";
        }

        if (!memory.IsRam(AvailableRing, AvailableRingBytes(size)))
        {
            return $"Available ring at 0x{AvailableRing:x} is not wholly in RAM";
        }

        return memory.IsRam(UsedRing, UsedRingBytes(size)) ? null : $"Used ring at 0x{UsedRing:x} is not wholly in RAM";
    }

    /// <summary>Fails the queue (first reason wins, logged once) and tells the caller through the chain.</summary>
    private QueuePop Fail(DescriptorChain chain, string reason)
    {
        if (_failure is null)
        {
            _failure = reason;
            WarnRateLimited("Virtqueue broken by the guest, the device needs a reset: {Reason} ({Suppressed} similar warnings suppressed)", reason);
        }

        chain.Fail(_failure);
        return QueuePop.Broken;
    }

    /// <summary>
    /// Guest misbehaviour is logged at Warn at most once per interval across all queues (a guest that resets and
    /// breaks its queues in a loop must not flood the log); the rest are counted and the count reported next time.
    /// </summary>
    private static void WarnRateLimited(string template, string reason)
    {
        long now = Environment.TickCount64;
        long next = Volatile.Read(ref s_nextWarn);
        if (now >= next && Interlocked.CompareExchange(ref s_nextWarn, now + WarnIntervalMs, next) == next)
        {
            s_log.Warn(template, reason, Interlocked.Exchange(ref s_suppressedWarns, 0));
        }
        else
        {
            Interlocked.Increment(ref s_suppressedWarns);
        }
    }
}
