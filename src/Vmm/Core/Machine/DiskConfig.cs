using Kvm.Vmm.Block;
using Kvm.Vmm.Devices.Virtio.Block;

namespace Kvm.Vmm.Machine;

/// <summary>
/// A virtio-blk disk of the machine: its image (opened by the caller, which keeps it across resets and closes it at the
/// end), the device's settings, and the PCI slot its address names (null: the first free one).
/// </summary>
public sealed record DiskConfig(IBlockBackend Backend, VirtioBlockConfig Device, byte? Slot = null)
{
    /// <summary>How the monitor names and describes the disk (null: the defaults of <see cref="DiskMonitorInfo"/>).</summary>
    public DiskMonitorInfo? Monitor { get; init; }
}
