namespace Kvm.Vmm.Devices.Virtio;

/// <summary>What <see cref="Virtqueue.TryPop"/> found on the available ring.</summary>
public enum QueuePop
{
    /// <summary>No buffer is available (or the queue is not enabled).</summary>
    Empty,

    /// <summary>A descriptor chain was taken and validated; the chain holds it.</summary>
    Chain,

    /// <summary>The guest broke the queue's rules; the queue has failed (<see cref="DescriptorChain.Error"/> says why).</summary>
    Broken,
}
