namespace Kvm.Vmm.Devices.Virtio.Net;

/// <summary>A virtio-net device: its MAC, MTU (null: not offered), initial link state and queue size.</summary>
public sealed record VirtioNetConfig
{
    public string Name { get; init; } = "net0";

    /// <summary>The guest's MAC address (six bytes, unicast).</summary>
    public required byte[] Mac { get; init; }

    /// <summary>The MTU the device advises (<c>&lt;mtu size&gt;</c>, VIRTIO_NET_F_MTU); null: the driver's default of 1500.</summary>
    public ushort? Mtu { get; init; }

    /// <summary>Whether the link starts up (<c>&lt;link state&gt;</c>; libvirt's default is up).</summary>
    public bool LinkUp { get; init; } = true;

    /// <summary>
    /// Receive/transmit queue pairs (<c>&lt;driver queues&gt;</c>, 1 to <see cref="VirtioNetHeader.MaxQueuePairs"/>):
    /// above 1 the device offers VIRTIO_NET_F_MQ and has one backend (tap queue) per pair.
    /// </summary>
    public int QueuePairs { get; init; } = 1;

    /// <summary>Both queues' largest size (QEMU's default rx/tx queue size is 256).</summary>
    public ushort QueueSize { get; init; } = 256;
}
