using System.Globalization;
using Kvm.DomainXml.Model;
using Kvm.Vmm.Machine;
using Kvm.Vmm.Vhost;

namespace Kvm.Vmm.Launch;

/// <summary>
/// <c>&lt;vsock model='virtio'&gt;&lt;cid auto address/&gt;&lt;/vsock&gt;</c> as kvm-vmm's virtio-vsock on
/// /dev/vhost-vsock. <c>auto='no'</c> claims the address given (3 to 0xFFFFFFFE); <c>auto='yes'</c>, or no
/// <c>&lt;cid&gt;</c> at all, the first free CID from 3 up, as libvirt does at start (virVsockAcquireGuestCid); the
/// CID in use then is in the plan and the logs.
/// </summary>
internal static class VsockMapping
{
    /// <summary>
    /// The CID <paramref name="vsock"/> asks for, or null for an automatic one. An <c>auto='no'</c> without an
    /// address, or an address outside 3 to 0xFFFFFFFE, is an error that names the element.
    /// </summary>
    public static uint? RequestedCid(VsockDef vsock, string file)
    {
        bool auto = vsock.AutoCid ?? vsock.Cid is null;
        if (auto)
        {
            return null;
        }

        return vsock.Cid switch
        {
            null => throw new LaunchException($"{file}: devices/vsock/cid: auto='no' needs an address (a guest CID from 3 to 4294967294)"),
            < VhostVsock.MinGuestCid or > VhostVsock.MaxGuestCid => throw new LaunchException(string.Create(CultureInfo.InvariantCulture,
                $"{file}: devices/vsock/cid/@address: guest CID {vsock.Cid} is out of range (3 to 4294967294; 0 to 2 are the hypervisor's and the host's)")),
            { } cid => cid,
        };
    }

    /// <summary>Opens /dev/vhost-vsock and claims the CID; null without a <c>&lt;vsock&gt;</c>.</summary>
    public static VsockConfig? Open(VsockDef? vsock, string file, Func<uint?, VhostVsock>? open = null)
    {
        if (vsock is null)
        {
            return null;
        }

        uint? cid = RequestedCid(vsock, file);
        try
        {
            return new VsockConfig((open ?? (c => VhostVsock.Open(c)))(cid));
        }
        catch (VhostException e)
        {
            throw new LaunchException($"{file}: vsock: {e.Message}");
        }
    }
}
