using Kvm.Vmm.Devices.Virtio.Net;
using Kvm.Vmm.Net;
using Kvm.Vmm.Vhost;

namespace Kvm.Vmm.Machine;

/// <summary>
/// A virtio-net NIC of the machine: its backend (opened by the caller, which keeps it across resets and closes it at
/// the end, removing a tap it created), the device's settings, the PCI slot its address names (null: the first free one),
/// and vhost-net when the kernel moves the frames (a tap backend only; null: kvm-vmm's own datapath), closed with the backend.
/// </summary>
public sealed record NicConfig(INetBackend Backend, VirtioNetConfig Device, byte? Slot = null, VhostNet? Vhost = null);
