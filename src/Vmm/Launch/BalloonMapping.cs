using Kvm.DomainXml.Model;
using Kvm.Vmm.Devices.Virtio.Balloon;
using Kvm.Vmm.Machine;

namespace Kvm.Vmm.Launch;

/// <summary>
/// <c>&lt;memballoon model='virtio'&gt;</c> as kvm-vmm's virtio-balloon, QOM id <c>balloon0</c> as libvirt's alias:
/// <c>autodeflate='on'</c> offers deflate-on-OOM, <c>&lt;stats period='N'/&gt;</c> asks the guest for its statistics
/// every N seconds. <c>model='none'</c>, or no element, is no balloon.
/// </summary>
internal static class BalloonMapping
{
    public static BalloonConfig? Map(MemballoonDef? balloon, Action<string> warn)
    {
        if (balloon is null or { Model: MemballoonModel.None } || Support.VmmSupport.Memballoon(balloon) is not null)
        {
            return null;
        }

        var device = new VirtioBalloonConfig
        {
            DeflateOnOom = balloon.Autodeflate == true,
            StatsPeriodSeconds = (uint)Math.Max(balloon.StatsPeriod ?? 0, 0),
        };
        return new BalloonConfig(device, PciSlotMapping.Slot(balloon.PciAddress, device.Name, warn));
    }
}
