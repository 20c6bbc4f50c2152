using static Kvm.Vmm.Devices.Virtio.VirtqueueLayout;

namespace Kvm.Vmm.Devices.Virtio;

/// <summary>Returning chains on the used ring, and notification suppression both ways (§2.7.7, §2.7.10).</summary>
public sealed partial class Virtqueue
{
    private ulong UsedEventAddress => _availableRing + AvailRingOffset + 2UL * _size; // le16 used_event after ring[size]

    private ulong AvailEventAddress => _usedRing + UsedRingOffset + UsedElementSize * _size; // le16 avail_event after ring[size]

    /// <summary>
    /// Returns a chain to the driver: writes the used element {head, writtenLength}, then (after a release barrier)
    /// publishes the new used idx, with any elements staged before it. False when the queue is not enabled, has failed,
    /// or head is not a descriptor index (a device bug, not the guest's: the queue is left as it was).
    /// </summary>
    public bool TryAddUsed(ushort head, uint writtenLength)
    {
        if (!TryStageUsed(head, writtenLength))
        {
            return false;
        }

        PublishUsed();
        return true;
    }

    /// <summary>
    /// Writes the used element {head, writtenLength} in the next free slot without publishing it: the driver sees the
    /// staged elements together at <see cref="PublishUsed"/> (a frame over several receive buffers, virtio-net's
    /// MRG_RXBUF, must appear whole: 5.1.6.4). False as for <see cref="TryAddUsed"/>, or when a whole ring is staged.
    /// </summary>
    public bool TryStageUsed(ushort head, uint writtenLength)
    {
        if (!Enabled || _failure is not null || _memory is null || head >= _size || _stagedUsed >= _size)
        {
            return false;
        }

        // The used ring was checked to lie wholly in RAM at activation: every element slot below is inside it.
        ulong element = _usedRing + UsedRingOffset + UsedElementSize * (uint)((ushort)(_nextUsed + _stagedUsed) & (_size - 1));
        if (!_memory.TryWriteUInt32(element, head) || !_memory.TryWriteUInt32(element + 4, writtenLength))
        {
            return false;
        }

        _stagedUsed++;
        return true;
    }

    /// <summary>Publishes the elements staged by <see cref="TryStageUsed"/> with one used idx store (after a release barrier).</summary>
    public void PublishUsed()
    {
        if (_stagedUsed == 0 || _memory is null)
        {
            return;
        }

        // §2.7.8.2 / Linux virtio_wmb: the elements must be visible before the idx that publishes them.
        Interlocked.MemoryBarrier();
        _nextUsed += _stagedUsed;
        _memory.TryWriteVolatileUInt16(_usedRing + UsedIdxOffset, _nextUsed);
        _addedSinceSignal += _stagedUsed;
        _stagedUsed = 0;
    }

    /// <summary>
    /// Whether the driver wants an interrupt for the used elements published since the last call (call it after one
    /// or several <see cref="TryAddUsed"/>; false on a failed queue): with VIRTIO_F_EVENT_IDX, when the used idx moved past used_event
    /// (vring_need_event); without it, unless the driver set VIRTQ_AVAIL_F_NO_INTERRUPT. False when nothing was added.
    /// </summary>
    public bool NeedsInterrupt()
    {
        if (!Enabled || _failure is not null || _memory is null || _addedSinceSignal == 0)
        {
            return false; // a failed queue is reported by DEVICE_NEEDS_RESET's config interrupt instead
        }

        // §2.7.10: the used idx store must be visible before used_event / flags are read, or a driver that just
        // re-armed would be missed (store-load ordering: a full barrier).
        Interlocked.MemoryBarrier();
        ushort old = _signalledUsed;
        uint added = _addedSinceSignal;
        _signalledUsed = _nextUsed;
        _addedSinceSignal = 0;

        if (_eventIdx)
        {
            if (added > ushort.MaxValue || !_memory.TryReadVolatileUInt16(UsedEventAddress, out ushort usedEvent))
            {
                return true; // the 16-bit window cannot tell: interrupt rather than lose one
            }

            return NeedEvent(usedEvent, _nextUsed, old);
        }

        return !_memory.TryReadVolatileUInt16(_availableRing + AvailFlagsOffset, out ushort flags)
            || (flags & AvailFlagNoInterrupt) == 0;
    }

    /// <summary>
    /// Stops asking the driver for notifications while the device is busy: VIRTQ_USED_F_NO_NOTIFY, or with
    /// VIRTIO_F_EVENT_IDX simply no longer moving avail_event forward (a hint either way; spurious kicks stay possible).
    /// </summary>
    public void DisableNotifications()
    {
        _notificationsEnabled = false;
        if (Enabled && _failure is null && !_eventIdx && _memory is not null)
        {
            _memory.TryWriteVolatileUInt16(_usedRing + UsedFlagsOffset, UsedFlagNoNotify);
        }
    }

    /// <summary>
    /// Asks the driver to notify again (clears VIRTQ_USED_F_NO_NOTIFY, or sets avail_event to the next avail index),
    /// then re-reads the available idx after a full barrier: true when buffers arrived meanwhile, which the driver may
    /// not kick for, so the caller must pop again before sleeping.
    /// </summary>
    public bool EnableNotifications()
    {
        _notificationsEnabled = true;
        if (!Enabled || _failure is not null || _memory is null)
        {
            return false;
        }

        if (_eventIdx)
        {
            _memory.TryWriteVolatileUInt16(AvailEventAddress, _nextAvail);
        }
        else
        {
            _memory.TryWriteVolatileUInt16(_usedRing + UsedFlagsOffset, 0);
        }

        Interlocked.MemoryBarrier();
        return _memory.TryReadVolatileUInt16(_availableRing + AvailIdxOffset, out ushort availIdx) && availIdx != _nextAvail;
    }
}
