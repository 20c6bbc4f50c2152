using Kvm.Vmm.Vhost;

namespace Kvm.Vmm.Machine;

/// <summary>
/// The machine's virtio-vsock device: /dev/vhost-vsock with the guest's CID claimed (opened by the caller, which keeps it
/// across resets so the VM keeps its CID, and closes it at the end), and the PCI slot its address names (null: the first free one).
/// </summary>
public sealed record VsockConfig(VhostVsock Vhost, byte? Slot = null);
