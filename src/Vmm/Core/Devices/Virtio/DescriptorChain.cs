using Kvm.Vmm.Memory;

namespace Kvm.Vmm.Devices.Virtio;

/// <summary>
/// One descriptor chain taken from a <see cref="Virtqueue"/>: its head index and its buffers, every one already
/// checked to lie in guest RAM, device-readable ones first. Reused across pops (the segment array is allocated once,
/// sized for the queue), so popping allocates nothing. Create one with <see cref="Virtqueue.CreateChain"/>.
/// </summary>
public sealed class DescriptorChain
{
    private readonly DescriptorSegment[] _segments;

    public DescriptorChain(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _segments = new DescriptorSegment[capacity];
    }

    /// <summary>Most segments this chain can hold.</summary>
    public int Capacity => _segments.Length;

    /// <summary>Descriptor table index of the chain's head: the id to give back with <see cref="Virtqueue.TryAddUsed"/>.</summary>
    public ushort Head { get; private set; }

    /// <summary>Number of segments (zero-length descriptors are not kept).</summary>
    public int Count { get; private set; }

    public ReadOnlySpan<DescriptorSegment> Segments => _segments.AsSpan(0, Count);

    /// <summary>Total bytes the device may read (the device-readable segments).</summary>
    public ulong ReadableBytes { get; private set; }

    /// <summary>Total bytes the device may write (the device-writable segments).</summary>
    public ulong WritableBytes { get; private set; }

    /// <summary>Why the last pop was <see cref="QueuePop.Broken"/>; null after a good pop.</summary>
    public string? Error { get; private set; }

    /// <summary>
    /// Copies device-readable bytes, starting <paramref name="skip"/> bytes into the readable part, into
    /// <paramref name="destination"/>; returns how many bytes were copied (fewer when the readable part ends first).
    /// </summary>
    public int CopyFromReadable(GuestMemory memory, ulong skip, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(memory);
        int copied = 0;
        foreach (var segment in Segments)
        {
            if (segment.DeviceWritable || copied == destination.Length)
            {
                break; // readable segments all come first
            }

            if (skip >= segment.Length)
            {
                skip -= segment.Length;
                continue;
            }

            int chunk = (int)Math.Min(segment.Length - skip, (ulong)(destination.Length - copied));
            if (!memory.TryRead(segment.Address + skip, destination.Slice(copied, chunk)))
            {
                break; // cannot happen for a validated segment of this memory
            }

            copied += chunk;
            skip = 0;
        }

        return copied;
    }

    /// <summary>
    /// Copies <paramref name="source"/> into the device-writable part, starting <paramref name="skip"/> bytes into it;
    /// returns how many bytes were written (fewer when the writable part ends first).
    /// </summary>
    public int CopyToWritable(GuestMemory memory, ulong skip, ReadOnlySpan<byte> source)
    {
        ArgumentNullException.ThrowIfNull(memory);
        int copied = 0;
        foreach (var segment in Segments)
        {
            if (copied == source.Length)
            {
                break;
            }

            if (!segment.DeviceWritable)
            {
                continue;
            }

            if (skip >= segment.Length)
            {
                skip -= segment.Length;
                continue;
            }

            int chunk = (int)Math.Min(segment.Length - skip, (ulong)(source.Length - copied));
            if (!memory.TryWrite(segment.Address + skip, source.Slice(copied, chunk)))
            {
                break; // cannot happen for a validated segment of this memory
            }

            copied += chunk;
            skip = 0;
        }

        return copied;
    }

    internal void Start(ushort head)
    {
        Head = head;
        Count = 0;
        ReadableBytes = 0;
        WritableBytes = 0;
        Error = null;
    }

    /// <summary>Appends a segment; false when the chain is full (the walk's bounds keep a valid chain within capacity).</summary>
    internal bool TryAdd(DescriptorSegment segment)
    {
        if (Count == _segments.Length)
        {
            return false;
        }

        _segments[Count++] = segment;
        if (segment.DeviceWritable)
        {
            WritableBytes = checked(WritableBytes + segment.Length);
        }
        else
        {
            ReadableBytes = checked(ReadableBytes + segment.Length);
        }

        return true;
    }

    internal void Fail(string error)
    {
        Count = 0;
        ReadableBytes = 0;
        WritableBytes = 0;
        Error = error;
    }
}
