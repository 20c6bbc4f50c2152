using System.Buffers.Binary;
using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Devices.Virtio.Net;

/// <summary>The receive path with VIRTIO_NET_F_MRG_RXBUF (virtio 1.2, 5.1.6.3.2 and 5.1.6.4).</summary>
internal sealed partial class VirtioNetWorker
{
    private enum MergedReceive
    {
        Delivered,
        Waits,
        Broken,
    }

    /// <summary>
    /// Puts the frame in <c>_rxBuffer[..length]</c> (its header first) into as many receive chains as it needs, each
    /// filled before the next is taken, and sets num_buffers in the header to their number; the chains go on the used
    /// ring together, so the driver never sees part of a frame. When the ring runs out first, the chains taken go back
    /// (<see cref="Virtqueue.Unpop"/>) and the frame waits for more (<see cref="MergedReceive.Waits"/>); one that a
    /// whole ring of the guest's buffers cannot hold is dropped, counted. Bounded: at most one ring of chains, each at
    /// least a header long (checked, as every receive chain).
    /// </summary>
    private MergedReceive ReceiveMerged(Virtqueue rx, int length)
    {
        var memory = _activation.Memory;
        var first = _rxChain!;
        ushort buffers = 0;
        int offset = 0;
        while (offset < length)
        {
            var chain = buffers == 0 ? first : _rxMore!;
            if (buffers == _mergedHeads.Length)
            {
                rx.Unpop(buffers);
                _device.Stats.DroppedRx();
                return MergedReceive.Delivered;
            }

            var pop = NextReceiveChain(rx, chain);
            if (pop == QueuePop.Broken)
            {
                Break($"receive queue: {chain.Error}");
                return MergedReceive.Broken;
            }

            if (pop == QueuePop.Empty)
            {
                rx.Unpop(buffers);
                return MergedReceive.Waits;
            }

            if (ReceiveError(chain) is { } error)
            {
                Break(error);
                return MergedReceive.Broken;
            }

            // The first chain is filled last, once num_buffers is known; the others now (every chain holds >= a header,
            // so each takes at least one byte and the loop ends).
            int take = (int)Math.Min(chain.WritableBytes, (ulong)(length - offset));
            if (buffers > 0)
            {
                take = chain.CopyToWritable(memory, 0, _rxBuffer.AsSpan(offset, take));
            }

            _mergedHeads[buffers] = chain.Head;
            _mergedLengths[buffers] = (uint)take;
            buffers++;
            offset += take;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(_rxBuffer.AsSpan(H.NumBuffersOffset), buffers);
        _mergedLengths[0] = (uint)first.CopyToWritable(memory, 0, _rxBuffer.AsSpan(0, (int)_mergedLengths[0]));
        for (int i = 0; i < buffers; i++)
        {
            rx.TryStageUsed(_mergedHeads[i], _mergedLengths[i]);
        }

        rx.PublishUsed();
        _device.Stats.Received(length - H.Size);
        return MergedReceive.Delivered;
    }
}
