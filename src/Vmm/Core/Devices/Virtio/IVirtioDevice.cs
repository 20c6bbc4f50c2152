namespace Kvm.Vmm.Devices.Virtio;

/// <summary>
/// A virtio device behind its transport: its type, features, queues and configuration space. The transport negotiates
/// features and sets up the queues; at DRIVER_OK it calls <see cref="Activate"/>, after which the device serves its
/// queues on threads of its own, until <see cref="Reset"/>. Configuration accesses come from vCPU threads with
/// offsets and values the guest chose: never throw on them.
/// </summary>
public interface IVirtioDevice : IDisposable
{
    /// <summary>The virtio device id (virtio 1.2, 5: 1 network, 2 block, 4 entropy).</summary>
    ushort DeviceType { get; }

    /// <summary>The PCI class code (class, subclass, prog-if) the function reports.</summary>
    uint PciClassCode { get; }

    /// <summary>QEMU's name for the device model, e.g. "virtio-blk-pci" (logs, QMP).</summary>
    string Name { get; }

    /// <summary>The device-specific feature bits it offers (the transport adds its own).</summary>
    ulong Features { get; }

    int QueueCount { get; }

    ushort QueueMaxSize { get; }

    /// <summary>The size of the device-specific configuration structure.</summary>
    int ConfigSize { get; }

    void ReadConfig(int offset, Span<byte> data);

    void WriteConfig(int offset, ReadOnlySpan<byte> data);

    /// <summary>Starts serving the queues the driver enabled, with the features it accepted.</summary>
    void Activate(VirtioActivation activation);

    /// <summary>Stops serving (joins its threads) and forgets the driver's state; the transport resets the queues.</summary>
    void Reset();
}
