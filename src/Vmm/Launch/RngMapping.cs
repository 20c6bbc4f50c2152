using Kvm.DomainXml.Model;
using Kvm.Vmm.Devices.Virtio.Rng;
using Kvm.Vmm.Machine;
using Kvm.Vmm.Support;

namespace Kvm.Vmm.Launch;

/// <summary>
/// <c>&lt;rng model='virtio'&gt;</c> as kvm-vmm's virtio-rng: a random backend reads its host device (libvirt allows
/// /dev/random, /dev/urandom and /dev/hwrng; the default is /dev/urandom), the builtin one /dev/urandom (QEMU's uses
/// getrandom), with the XML's rate limit (libvirt's default period is one second).
/// </summary>
internal static class RngMapping
{
    public static string? Unsupported(RngDef rng) => VmmSupport.Rng(rng);

    public static List<RngConfig> Map(IEnumerable<RngDef> rngs, Action<string> warn) =>
        [.. rngs.Where(r => Unsupported(r) is null).Select((rng, index) => new RngConfig(new VirtioRngConfig
        {
            Name = $"rng{index}",
            SourcePath = rng.Backend == RngBackendModel.Random ? rng.SourcePath ?? "/dev/urandom" : "/dev/urandom",
            RateBytes = rng.RateBytes,
            RatePeriodMilliseconds = rng.RateBytes is null ? null : rng.RatePeriod ?? 1000,
        }, PciSlotMapping.Slot(rng.PciAddress, $"rng{index}", warn)))];
}
