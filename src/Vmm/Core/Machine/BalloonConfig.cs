using Kvm.Vmm.Devices.Virtio.Balloon;

namespace Kvm.Vmm.Machine;

/// <summary>The machine's virtio-balloon device and the PCI slot its address names (null: the first free one).</summary>
public sealed record BalloonConfig(VirtioBalloonConfig Device, byte? Slot = null);
