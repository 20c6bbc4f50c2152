using Kvm.Vmm.Memory;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// The driver side of a split virtqueue, for tests: lays out the descriptor table and rings in guest memory the way
/// Linux's virtio_ring.c does (descriptors, then the avail ring entry, a write barrier, then avail idx) and reads what
/// the device published on the used ring. Deliberately naive about free descriptors: tests say which to use.
/// </summary>
internal sealed class SplitRingDriver
{
    public const ushort Next = 1;
    public const ushort Write = 2;
    public const ushort Indirect = 4;

    private readonly GuestMemory _memory;

    public SplitRingDriver(GuestMemory memory, ushort size, ulong descriptorTable, ulong availableRing, ulong usedRing)
    {
        _memory = memory;
        Size = size;
        DescriptorTable = descriptorTable;
        AvailableRing = availableRing;
        UsedRing = usedRing;
    }

    public ushort Size { get; }

    public ulong DescriptorTable { get; }

    public ulong AvailableRing { get; }

    public ulong UsedRing { get; }

    /// <summary>The driver's avail idx (what it last published).</summary>
    public ushort AvailIdx { get; private set; }

    public ushort UsedIdx => Read16(UsedRing + 2);

    public ushort UsedFlags => Read16(UsedRing);

    public ushort AvailEvent => Read16(UsedRing + 4 + 8UL * Size);

    public ushort AvailFlags
    {
        set => Write16(AvailableRing, value);
    }

    public ushort UsedEvent
    {
        set => Write16(AvailableRing + 4 + 2UL * Size, value);
    }

    /// <summary>Starts both indices at <paramref name="index"/> (as if that many chains had gone round already).</summary>
    public void StartAt(ushort index)
    {
        AvailIdx = index;
        Write16(AvailableRing + 2, index);
        Write16(UsedRing + 2, index);
    }

    public void WriteDescriptor(int index, ulong address, uint length, ushort flags, ushort next) =>
        WriteDescriptorAt(DescriptorTable, index, address, length, flags, next);

    public void WriteDescriptorAt(ulong table, int index, ulong address, uint length, ushort flags, ushort next)
    {
        ulong entry = table + 16UL * (uint)index;
        Check(_memory.TryWrite(entry, BitConverter.GetBytes(address)));
        Check(_memory.TryWriteUInt32(entry + 8, length));
        Check(_memory.TryWriteUInt16(entry + 12, flags));
        Check(_memory.TryWriteUInt16(entry + 14, next));
    }

    /// <summary>Writes buffers as a chain at descriptors first, first+1, … (NEXT on all but the last) and publishes it.</summary>
    public ushort AddChain(ushort first, params (ulong Address, uint Length, bool Writable)[] buffers)
    {
        WriteChainAt(DescriptorTable, first, buffers);
        Publish(first);
        return first;
    }

    /// <summary>Writes buffers as an indirect table at <paramref name="table"/> and publishes one descriptor naming it.</summary>
    public ushort AddIndirectChain(ushort head, ulong table, params (ulong Address, uint Length, bool Writable)[] buffers)
    {
        WriteChainAt(table, 0, buffers);
        WriteDescriptor(head, table, (uint)(16 * buffers.Length), Indirect, 0);
        Publish(head);
        return head;
    }

    public void WriteChainAt(ulong table, ushort first, (ulong Address, uint Length, bool Writable)[] buffers)
    {
        for (int i = 0; i < buffers.Length; i++)
        {
            var (address, length, writable) = buffers[i];
            ushort flags = (ushort)((writable ? Write : 0) | (i + 1 < buffers.Length ? Next : 0));
            WriteDescriptorAt(table, first + i, address, length, flags, (ushort)(first + i + 1));
        }
    }

    /// <summary>avail->ring[idx % size] = head; barrier; avail->idx = idx + 1 (virtqueue_add_split / kick prep).</summary>
    public void Publish(ushort head)
    {
        Write16(AvailableRing + 4 + 2UL * (uint)(AvailIdx % Size), head);
        Interlocked.MemoryBarrier();
        AvailIdx++;
        Write16(AvailableRing + 2, AvailIdx);
    }

    /// <summary>Sets avail idx to anything (a hostile or buggy driver).</summary>
    public void SetAvailIdx(ushort idx)
    {
        AvailIdx = idx;
        Write16(AvailableRing + 2, idx);
    }

    public void SetAvailEntry(int slot, ushort head) => Write16(AvailableRing + 4 + 2UL * (uint)slot, head);

    public (uint Id, uint Length) UsedElement(ushort usedIdx)
    {
        ulong element = UsedRing + 4 + 8UL * (uint)(usedIdx % Size);
        Check(_memory.TryReadUInt32(element, out uint id));
        Check(_memory.TryReadUInt32(element + 4, out uint length));
        return (id, length);
    }

    private ushort Read16(ulong address)
    {
        Check(_memory.TryReadUInt16(address, out ushort value));
        return value;
    }

    private void Write16(ulong address, ushort value) => Check(_memory.TryWriteUInt16(address, value));

    // Not Assert.That: the allocation test publishes through here and must not allocate a constraint per call.
    private static void Check(bool ok)
    {
        if (!ok)
        {
            throw new InvalidOperationException("The test driver's own ring access is outside guest RAM");
        }
    }
}
