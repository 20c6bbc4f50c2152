namespace Kvm.Vmm.Devices.Virtio.Balloon;

/// <summary>A virtio-balloon device: its QOM id, whether it deflates on OOM, and how often it asks for guest statistics.</summary>
public sealed record VirtioBalloonConfig
{
    /// <summary>libvirt's alias of the device (<c>balloon0</c>), its QOM id under /machine/peripheral.</summary>
    public string Name { get; init; } = "balloon0";

    /// <summary>Offer VIRTIO_BALLOON_F_DEFLATE_ON_OOM (<c>&lt;memballoon autodeflate='on'&gt;</c>).</summary>
    public bool DeflateOnOom { get; init; }

    /// <summary>Seconds between statistics requests (<c>&lt;stats period&gt;</c>); 0 asks only when the driver offers them.</summary>
    public uint StatsPeriodSeconds { get; init; }
}
