using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Vhost;

/// <summary>
/// /dev/vhost-vsock with the guest's context id claimed (VHOST_VSOCK_SET_GUEST_CID): the kernel refuses a CID another
/// VM holds with EADDRINUSE, and frees it when the descriptor closes. Opened before the machine is built and kept
/// across guest resets, so the VM keeps its CID.
/// </summary>
public sealed unsafe class VhostVsock : IDisposable
{
    public const string DevicePath = "/dev/vhost-vsock";

    /// <summary>The lowest guest CID (0 hypervisor, 1 local, 2 host) and the highest (0xFFFFFFFF is VMADDR_CID_ANY).</summary>
    public const uint MinGuestCid = 3;
    public const uint MaxGuestCid = 0xFFFF_FFFE;

    /// <summary>How many CIDs an automatic pick tries, from <see cref="MinGuestCid"/> up, before giving up.</summary>
    public const uint AutoCidAttempts = 4096;

    private const int EAddrInUse = 98;

    private VhostVsock(VhostDevice device, uint cid)
    {
        Device = device;
        Cid = cid;
    }

    public VhostDevice Device { get; }

    /// <summary>The guest's context id, claimed for this VM.</summary>
    public uint Cid { get; }

    /// <summary>
    /// Opens the device and claims <paramref name="cid"/>, or with null the first free CID from 3 up. Errors say what
    /// went wrong: the module missing, the CID out of range or in use, no free CID.
    /// </summary>
    public static VhostVsock Open(uint? cid, string path = DevicePath)
    {
        if (cid is < MinGuestCid or > MaxGuestCid)
        {
            throw new VhostException($"Guest CID {cid} is out of range ({MinGuestCid} to {MaxGuestCid})", 0);
        }

        var device = VhostDevice.Open(path, "vhost_vsock");
        try
        {
            if (cid is { } wanted)
            {
                int errno = TrySetGuestCid(device, wanted);
                if (errno != 0)
                {
                    throw new VhostException(errno == EAddrInUse
                        ? $"Guest CID {wanted} is already in use by another VM on this host"
                        : $"VHOST_VSOCK_SET_GUEST_CID {wanted} on {path} failed: {Libc.ErrorText(errno)}", errno);
                }

                return new VhostVsock(device, wanted);
            }

            for (uint candidate = MinGuestCid; candidate < MinGuestCid + AutoCidAttempts; candidate++)
            {
                int errno = TrySetGuestCid(device, candidate);
                if (errno == 0)
                {
                    return new VhostVsock(device, candidate);
                }

                if (errno != EAddrInUse)
                {
                    throw new VhostException($"VHOST_VSOCK_SET_GUEST_CID {candidate} on {path} failed: {Libc.ErrorText(errno)}", errno);
                }
            }

            throw new VhostException($"No free guest CID from {MinGuestCid} to {MinGuestCid + AutoCidAttempts - 1}", EAddrInUse);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>A device already opened, with its CID: for unit tests of the device model (see <see cref="VhostDevice.FromHandle"/>).</summary>
    internal static VhostVsock FromDevice(VhostDevice device, uint cid) => new(device, cid);

    /// <summary>VHOST_VSOCK_SET_RUNNING: the kernel starts (or stops) moving packets on the rings it was given.</summary>
    public void SetRunning(bool running)
    {
        int value = running ? 1 : 0;
        Device.Call(VhostIoctl.VsockSetRunning, &value, "VHOST_VSOCK_SET_RUNNING");
    }

    public void Dispose() => Device.Dispose();

    private static int TrySetGuestCid(VhostDevice device, uint cid)
    {
        ulong value = cid;
        try
        {
            device.Call(VhostIoctl.VsockSetGuestCid, &value, "VHOST_VSOCK_SET_GUEST_CID");
            return 0;
        }
        catch (VhostException e)
        {
            return e.Errno;
        }
    }
}
