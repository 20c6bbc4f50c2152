using Kvm.DomainXml;

namespace Kvm.Driver.Domains;

/// <summary>
/// The guest CIDs of kvmd's domains. As libvirt's QEMU driver acquires a <c>&lt;cid auto='yes'&gt;</c> domain's CID
/// before QEMU starts, kvmd picks it before kvm-vmm starts: the lowest CID from 3 that none of its other running (or
/// starting) domains holds, recorded on the live definition as libvirt shows it (<c>&lt;cid auto='yes' address='3'/&gt;</c>,
/// what GetXMLDesc and dumpxml answer while it runs). kvm-vmm is told to claim exactly that CID (<c>auto='no'</c>), so
/// the live definition never names a CID the VM does not hold: one that something outside this kvmd holds (another
/// kvmd, a QEMU) fails the start with kvm-vmm's error naming it.
/// </summary>
internal static class VsockCids
{
    public const uint First = 3;

    /// <summary>
    /// <paramref name="live"/> with its automatic CID chosen, skipping those of <paramref name="others"/> (the live
    /// definitions of the other running domains); unchanged without a vsock or with a fixed CID.
    /// </summary>
    public static DomainDocument Assign(DomainDocument live, IEnumerable<DomainDocument?> others)
    {
        if (live.Definition.Devices.Vsock is not { } vsock || !(vsock.AutoCid ?? vsock.Cid is null))
        {
            return live;
        }

        var taken = others.Select(d => d?.Definition.Devices.Vsock?.Cid).OfType<uint>().ToHashSet();
        uint cid = First;
        while (taken.Contains(cid))
        {
            cid++;
        }

        return DomainEdits.WithVsockCid(live, cid, auto: true)!;
    }

    /// <summary>The definition kvm-vmm gets: an assigned automatic CID as a fixed one, which kvm-vmm claims exactly.</summary>
    public static DomainDocument ForVmm(DomainDocument live) =>
        live.Definition.Devices.Vsock is { AutoCid: true, Cid: { } cid } ? DomainEdits.WithVsockCid(live, cid, auto: false)! : live;
}
