using System.Buffers.Binary;
using H = Kvm.Vmm.Devices.Virtio.Net.VirtioNetHeader;

namespace Kvm.Vmm.Devices.Virtio.Net;

/// <summary>The receive path with VIRTIO_NET_F_MRG_RXBUF (virtio 1.2, 5.1.6.3.2 and 5.1.6.4).</summary>
internal sealed partial class VirtioNetWorker
{
    /// <summary>
    /// Puts the frame in <c>_buffer[..length]</c> (its header first) into as many receive chains as it needs, each
    /// filled before the next is taken, and sets num_buffers in the header to their number; the chains go on the used
    /// ring together, so the driver never sees part of a frame. When the ring runs out first, the chains taken go back
    /// (<see cref="Virtqueue.Unpop"/>) for the next frame and this one is dropped, counted, as a frame without any
    /// buffer is. Bounded: at most one ring of chains, each at least a header long (checked, as every receive chain).
    /// False when the guest broke the device.
    /// </summary>
    private bool ReceiveMerged(Virtqueue rx, int length)
    {
        var memory = _activation.Memory;
        var first = _rxChain!;
        ushort buffers = 0;
        int offset = 0;
        while (offset < length)
        {
            var chain = buffers == 0 ? first : _rxMore!;
            var pop = buffers == _mergedHeads.Length ? QueuePop.Empty : NextReceiveChain(rx, chain);
            if (pop == QueuePop.Broken)
            {
                Break($"receive queue: {chain.Error}");
                return false;
            }

            if (pop == QueuePop.Empty)
            {
                rx.Unpop(buffers);
                _device.Stats.DroppedRx();
                return true;
            }

            if (ReceiveError(chain) is { } error)
            {
                Break(error);
                return false;
            }

            // The first chain is filled last, once num_buffers is known; the others now (every chain holds >= a header,
            // so each takes at least one byte and the loop ends).
            int take = (int)Math.Min(chain.WritableBytes, (ulong)(length - offset));
            if (buffers > 0)
            {
                take = chain.CopyToWritable(memory, 0, _buffer.AsSpan(offset, take));
            }

            _mergedHeads[buffers] = chain.Head;
            _mergedLengths[buffers] = (uint)take;
            buffers++;
            offset += take;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(H.NumBuffersOffset), buffers);
        _mergedLengths[0] = (uint)first.CopyToWritable(memory, 0, _buffer.AsSpan(0, (int)_mergedLengths[0]));
        for (int i = 0; i < buffers; i++)
        {
            rx.TryStageUsed(_mergedHeads[i], _mergedLengths[i]);
        }

        rx.PublishUsed();
        _device.Stats.Received(length - H.Size);
        return true;
    }
}
