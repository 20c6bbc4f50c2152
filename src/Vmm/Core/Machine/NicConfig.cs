using Kvm.Vmm.Devices.Virtio.Net;
using Kvm.Vmm.Net;

namespace Kvm.Vmm.Machine;

/// <summary>
/// A virtio-net NIC of the machine: its backend (opened by the caller, which keeps it across resets and closes it at
/// the end, removing a tap it created), the device's settings, and the PCI slot its address names (null: the first free one).
/// </summary>
public sealed record NicConfig(INetBackend Backend, VirtioNetConfig Device, byte? Slot = null);
