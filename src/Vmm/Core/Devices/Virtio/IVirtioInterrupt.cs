namespace Kvm.Vmm.Devices.Virtio;

/// <summary>How a device reaches its driver: a used-buffer notification per queue, a configuration change, a failure.</summary>
public interface IVirtioInterrupt
{
    /// <summary>Interrupts the driver for queue <paramref name="queue"/> (its MSI-X vector).</summary>
    void NotifyQueue(int queue);

    /// <summary>Tells the driver the configuration space changed (generation bumped, config vector).</summary>
    void NotifyConfigChange();

    /// <summary>
    /// The device cannot go on until the driver resets it (a malformed ring, say): sets DEVICE_NEEDS_RESET and
    /// interrupts the driver, as virtio 1.2, 2.1.2 says. Logged once by the caller.
    /// </summary>
    void Fail();
}
