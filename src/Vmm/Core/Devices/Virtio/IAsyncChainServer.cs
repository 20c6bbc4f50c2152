using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Devices.Virtio;

/// <summary>
/// Serves chains without a thread each (Linux AIO, say): the queue's thread starts them as it pops them, submits the
/// batch once the ring is drained, and collects them when <see cref="Completions"/> is signalled. A chain it declines
/// takes the <see cref="QueueWorker"/>'s synchronous path. Called from the queue's thread only. Disposing it waits for
/// every chain in flight (no device write into guest memory after it returns).
/// </summary>
public interface IAsyncChainServer : IDisposable
{
    /// <summary>Signalled when started chains have finished.</summary>
    EventFd Completions { get; }

    /// <summary>Starts serving <paramref name="chain"/> (submitted with the next <see cref="Submit"/>); false declines it.</summary>
    bool TryStart(DescriptorChain chain);

    /// <summary>Submits the chains started since the last call; the host refused ones go to <paramref name="declined"/>.</summary>
    void Submit(Action<DescriptorChain> declined);

    /// <summary>Hands each finished chain, with the bytes written into it, to <paramref name="complete"/>.</summary>
    void Reap(Action<DescriptorChain, uint> complete);
}
