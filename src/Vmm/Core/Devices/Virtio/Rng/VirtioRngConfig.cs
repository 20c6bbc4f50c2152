namespace Kvm.Vmm.Devices.Virtio.Rng;

/// <summary>A virtio-rng device: its host source and its rate limit (<c>&lt;rate bytes period&gt;</c>).</summary>
public sealed record VirtioRngConfig
{
    public string SourcePath { get; init; } = "/dev/urandom";

    /// <summary>Bytes per period; null for no limit.</summary>
    public uint? RateBytes { get; init; }

    /// <summary>The period in milliseconds (libvirt's default is 1000).</summary>
    public uint? RatePeriodMilliseconds { get; init; }

    public string Name { get; init; } = "rng0";
}
