namespace Kvm.Vmm.Devices.Virtio;

/// <summary>
/// One buffer of a descriptor chain, already checked to lie wholly in guest RAM: guest address, length, and whether
/// the device writes it (VIRTQ_DESC_F_WRITE) or reads it.
/// </summary>
public readonly record struct DescriptorSegment(ulong Address, uint Length, bool DeviceWritable);
