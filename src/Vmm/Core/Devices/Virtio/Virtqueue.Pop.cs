using Kvm.Vmm.Memory;
using static Kvm.Vmm.Devices.Virtio.VirtqueueLayout;

namespace Kvm.Vmm.Devices.Virtio;

/// <summary>Taking chains off the available ring, and the rules a chain must obey.</summary>
public sealed partial class Virtqueue
{
    /// <summary>
    /// Takes the next available chain into <paramref name="chain"/>. <see cref="QueuePop.Empty"/>: nothing new (or
    /// the queue is not enabled). <see cref="QueuePop.Chain"/>: the chain is valid and taken. <see cref="QueuePop.Broken"/>:
    /// the guest broke a rule, the queue has failed and stays so (every later pop answers Broken).
    /// Bounded work: at most the queue size of descriptors plus one indirect table; no allocation.
    /// </summary>
    public QueuePop TryPop(DescriptorChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Capacity < ChainCapacity(MaxSize))
        {
            throw new ArgumentException("The chain is smaller than this queue's largest chain: use CreateChain", nameof(chain));
        }

        if (_failure is not null)
        {
            chain.Fail(_failure);
            return QueuePop.Broken;
        }

        if (!Enabled || _memory is null)
        {
            return QueuePop.Empty;
        }

        GuestMemory memory = _memory;
        if (!memory.TryReadVolatileUInt16(_availableRing + AvailIdxOffset, out ushort availIdx))
        {
            return Fail(chain, "Available ring idx is not readable");
        }

        ushort pending = (ushort)(availIdx - _nextAvail);
        if (pending == 0)
        {
            return QueuePop.Empty;
        }

        if (pending > _size)
        {
            return Fail(chain, $"Available idx {availIdx} is {pending} ahead of the device's {_nextAvail}, more than the queue size {_size}");
        }

        // §2.7.13.3 / Linux virtio_rmb: read the ring entries only after the idx that published them.
        Interlocked.MemoryBarrier();

        ulong slot = _availableRing + AvailRingOffset + 2UL * (uint)(_nextAvail & (_size - 1));
        if (!memory.TryReadUInt16(slot, out ushort head))
        {
            return Fail(chain, "Available ring entry is not readable");
        }

        if (head >= _size)
        {
            return Fail(chain, $"Available ring names head {head}, beyond the queue size {_size}");
        }

        string? error = Walk(memory, head, chain);
        if (error is not null)
        {
            return Fail(chain, error);
        }

        _nextAvail++;
        if (_eventIdx && _notificationsEnabled)
        {
            // §2.7.10: ask to be notified when the driver makes the next buffer available.
            memory.TryWriteVolatileUInt16(AvailEventAddress, _nextAvail);
        }

        return QueuePop.Chain;
    }

    /// <summary>
    /// Gives back the last <paramref name="count"/> chains <see cref="TryPop"/> took that have not gone on the used ring
    /// (QEMU's virtqueue_unpop): the next pops take them again. For a device that took buffers for a frame and found too
    /// few; the caller must not have returned any of them. Nothing on a queue that is not enabled or has failed.
    /// </summary>
    public void Unpop(ushort count)
    {
        if (count == 0 || !Enabled || _failure is not null || _memory is null)
        {
            return;
        }

        // avail_event stays where the pops put it: those chains are published already, and the device takes them again
        // on its own; a kick is wanted only for buffers the driver adds after them (an avail_event moved back behind the
        // driver's idx would ask for none until the index wraps).
        _nextAvail -= count;
    }

    /// <summary>Descriptors the last pop visited (tests check the walk stays bounded).</summary>
    internal int LastWalkLength { get; private set; }

    /// <summary>Walks and validates the chain from head; returns why it is invalid, or null.</summary>
    private string? Walk(GuestMemory memory, ushort head, DescriptorChain chain)
    {
        chain.Start(head);
        LastWalkLength = 0;
        ulong table = _descriptorTable;
        int tableLength = _size;
        int budget = _size; // descriptors left to visit in the current table: a loop runs out of it
        bool inIndirect = false;
        bool seenWritable = false;
        ulong total = 0;
        int index = head;

        while (true)
        {
            if (budget-- == 0)
            {
                return inIndirect
                    ? $"Chain at head {head} is longer than its indirect table of {tableLength} (a loop)"
                    : $"Chain at head {head} is longer than the queue size {_size} (a loop)";
            }

            LastWalkLength++;
            if (index >= tableLength)
            {
                return $"Chain at head {head} names descriptor {index}, beyond its table of {tableLength}";
            }

            ulong entry = table + DescriptorSize * (uint)index;
            if (!memory.TryReadUInt64(entry + DescAddrOffset, out ulong address)
                || !memory.TryReadUInt32(entry + DescLenOffset, out uint length)
                || !memory.TryReadUInt16(entry + DescFlagsOffset, out ushort flags)
                || !memory.TryReadUInt16(entry + DescNextOffset, out ushort next))
            {
                return $"Descriptor {index} of the chain at head {head} is not readable"; // the tables were checked: unreachable
            }

            if ((flags & DescFlagIndirect) != 0)
            {
                // §2.7.5.3: the device ignores VIRTQ_DESC_F_WRITE on the descriptor naming the table.
                if (!_indirect)
                {
                    return $"Chain at head {head} uses an indirect descriptor, which was not negotiated";
                }

                if (inIndirect)
                {
                    return $"Chain at head {head} has an indirect descriptor inside an indirect table";
                }

                if ((flags & DescFlagNext) != 0)
                {
                    return $"Chain at head {head} has an indirect descriptor with NEXT set";
                }

                if (length == 0 || length % DescriptorSize != 0 || length / DescriptorSize > (uint)IndirectEntryLimit(_size))
                {
                    return $"Chain at head {head} has an indirect table of {length} bytes (a nonzero multiple of 16, at most {IndirectEntryLimit(_size)} entries)";
                }

                if (!memory.IsRam(address, length))
                {
                    return $"Chain at head {head} has an indirect table at 0x{address:x}+0x{length:x} outside RAM";
                }

                table = address;
                tableLength = (int)(length / DescriptorSize);
                budget = tableLength;
                inIndirect = true;
                index = 0; // §2.7.5.3.2: the table's chain starts at its first entry
                continue;
            }

            bool writable = (flags & DescFlagWrite) != 0;
            if (seenWritable && !writable)
            {
                return $"Chain at head {head} has a device-readable descriptor after a device-writable one";
            }

            seenWritable |= writable;
            total = checked(total + length); // at most 32768 + 32768 descriptors of < 2^32 bytes: cannot throw
            if (total > MaxChainBytes)
            {
                return $"Chain at head {head} is longer than 4 GiB";
            }

            // A zero-length buffer is allowed but carries nothing: it is not kept and its address not followed.
            if (length != 0)
            {
                if (!memory.IsRam(address, length))
                {
                    return $"Chain at head {head} has a buffer at 0x{address:x}+0x{length:x} outside RAM";
                }

                if (!chain.TryAdd(new DescriptorSegment(address, length, writable)))
                {
                    return $"Chain at head {head} has more buffers than the chain can hold"; // bounded by budget: unreachable
                }
            }

            if ((flags & DescFlagNext) == 0)
            {
                return null;
            }

            index = next;
        }
    }
}
