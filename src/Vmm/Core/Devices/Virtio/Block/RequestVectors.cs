using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kvm.Vmm.Interop;
using Kvm.Vmm.Memory;
using R = Kvm.Vmm.Devices.Virtio.Block.VirtioBlockRequest;

namespace Kvm.Vmm.Devices.Virtio.Block;

/// <summary>A virtio-blk request's data window (past the header for a write, up to the status byte for a read) as iovecs over guest RAM.</summary>
internal static unsafe class RequestVectors
{
    /// <summary>
    /// Fills <paramref name="vectors"/> with the <paramref name="length"/> data bytes of <paramref name="chain"/>, in
    /// order, and returns how many; -1 when a piece is not guest RAM, or not a multiple of <paramref name="alignment"/>
    /// in address and length (1: any), or the chain holds fewer bytes.
    /// </summary>
    public static int Gather(GuestMemory memory, DescriptorChain chain, bool write, ulong length, Span<IoVector> vectors, uint alignment = 1)
    {
        ulong skip = write ? R.HeaderSize : 0UL;
        ulong remaining = length;
        int used = 0;
        foreach (var segment in chain.Segments)
        {
            if (segment.DeviceWritable == write || remaining == 0)
            {
                continue;
            }

            ulong from = Math.Min(skip, segment.Length);
            skip -= from;
            ulong take = Math.Min(segment.Length - from, remaining);
            if (take == 0)
            {
                continue;
            }

            if (used == vectors.Length || !memory.TryGetSpan(segment.Address + from, (int)take, out var span))
            {
                return -1;
            }

            // SAFETY: guest RAM is a fixed native mapping for the device's life; the span never moves.
            byte* start = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));
            if ((((ulong)start | take) & (alignment - 1)) != 0)
            {
                return -1;
            }

            vectors[used++] = new IoVector(start, (nuint)take);
            remaining -= take;
        }

        return remaining == 0 ? used : -1;
    }
}
