using Kvm.Vmm.Devices.Virtio.Net;
using Kvm.Vmm.Net;

namespace Kvm.Vmm.Launch;

/// <summary>What one interface kvm-vmm runs asks for: its backend (a tap, or passt), the device, its PCI slot and datapath.</summary>
internal sealed record NicPlan(TapOptions? Tap, PasstOptions? Passt, VirtioNetConfig Device, byte? Slot, NetDatapath Datapath = NetDatapath.Userspace);
