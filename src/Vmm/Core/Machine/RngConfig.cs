using Kvm.Vmm.Devices.Virtio.Rng;

namespace Kvm.Vmm.Machine;

/// <summary>A virtio-rng device of the machine and the PCI slot its address names (null: the first free one).</summary>
public sealed record RngConfig(VirtioRngConfig Device, byte? Slot = null);
