using Kvm.Vmm.Devices.Virtio.Net;
using Kvm.Vmm.Net;
using Kvm.Vmm.Vhost;

namespace Kvm.Vmm.Machine;

/// <summary>
/// A virtio-net NIC of the machine: its backend (opened by the caller, which keeps it across resets and closes it at
/// the end, removing a tap it created), the device's settings, the PCI slot its address names (null: the first free one),
/// and vhost-net when the kernel moves the frames (a tap backend only; null: kvm-vmm's own datapath), closed with the backend.
/// With several queue pairs (<see cref="VirtioNetConfig.QueuePairs"/>), <see cref="Backend"/> and <see cref="Vhost"/> are
/// pair 0's, and each further pair has its tap queue and its vhost-net here.
/// </summary>
public sealed record NicConfig(INetBackend Backend, VirtioNetConfig Device, byte? Slot = null, VhostNet? Vhost = null)
{
    /// <summary>The tap queues of pairs 1, 2, ... (a multi-queue tap).</summary>
    public IReadOnlyList<TapBackend> ExtraTapQueues { get; init; } = [];

    /// <summary>vhost-net of pairs 1, 2, ... (empty on kvm-vmm's own datapath).</summary>
    public IReadOnlyList<VhostNet> ExtraVhosts { get; init; } = [];

    /// <summary>Every pair's backend, pair 0 first.</summary>
    public IReadOnlyList<INetBackend> Backends => [Backend, .. ExtraTapQueues];

    /// <summary>Every pair's vhost-net, or null on kvm-vmm's own datapath.</summary>
    public IReadOnlyList<VhostNet>? Vhosts => Vhost is null ? null : [Vhost, .. ExtraVhosts];

    /// <summary>Closes the backends (removing a tap kvm-vmm created) and vhost-net.</summary>
    public void Close()
    {
        Backend.Dispose();
        foreach (var tap in ExtraTapQueues)
        {
            tap.Dispose();
        }

        Vhost?.Dispose();
        foreach (var vhost in ExtraVhosts)
        {
            vhost.Dispose();
        }
    }
}
