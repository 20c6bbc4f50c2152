using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Kvm.Vmm.Interop;
using Kvm.Vmm.Net;

namespace Kvm.Vmm.Tests.Virtio;

/// <summary>
/// A network backend for the device's unit tests only: frames queued by the test are readable (an eventfd signals
/// them, as a tap's descriptor would poll), frames the device writes are collected.
/// </summary>
internal sealed class FakeNetBackend : INetBackend
{
    private readonly EventFd _readable = EventFd.Create();
    private readonly ConcurrentQueue<byte[]> _incoming = new();

    public string Name => "fake0";

    public SafeHandle ReadHandle => _readable.Handle;

    public ConcurrentQueue<byte[]> Written { get; } = new();

    public NetOffloads SupportedOffloads => NetOffloads.Checksum | NetOffloads.Tso4 | NetOffloads.Tso6;

    /// <summary>What the device last set (what the guest's driver accepted).</summary>
    public NetOffloads Offloads { get; private set; }

    public bool TrySetOffloads(NetOffloads offloads)
    {
        Offloads = offloads;
        return true;
    }

    /// <summary>Queues a header and frame for the device to read.</summary>
    public void Enqueue(byte[] headerAndFrame)
    {
        _incoming.Enqueue(headerAndFrame);
        _readable.Signal();
    }

    /// <summary>A negative errno every read answers from now on (a tap gone under the VM); 0 for none.</summary>
    public int ReadError { get; set; }

    public int Read(Span<byte> frame)
    {
        if (ReadError != 0)
        {
            return ReadError;
        }

        if (!_incoming.TryDequeue(out var next))
        {
            // Level-triggered, as a tap's descriptor: a frame queued between the dequeue and the consume keeps it readable.
            _readable.TryConsume();
            if (!_incoming.IsEmpty)
            {
                _readable.Signal();
            }

            return 0;
        }

        next.AsSpan(0, Math.Min(next.Length, frame.Length)).CopyTo(frame);
        return Math.Min(next.Length, frame.Length);
    }

    public int Write(ReadOnlySpan<byte> frame)
    {
        Written.Enqueue(frame.ToArray());
        return frame.Length;
    }

    public void Dispose() => _readable.Dispose();
}
