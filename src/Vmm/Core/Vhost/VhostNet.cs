using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Vhost;

/// <summary>
/// /dev/vhost-net: the kernel's virtio-net datapath. Besides what every vhost device has (<see cref="VhostDevice"/>),
/// each queue gets the tap it moves frames to and from (VHOST_NET_SET_BACKEND); a backend of -1 stops that queue.
/// Opened before the machine is built and kept across guest resets.
/// </summary>
public sealed unsafe class VhostNet : IDisposable
{
    public const string DevicePath = "/dev/vhost-net";

    private VhostNet(VhostDevice device)
    {
        Device = device;
    }

    public VhostDevice Device { get; }

    /// <summary>Opens the device (owned by this process) and reads its features; throws <see cref="VhostException"/> with the reason.</summary>
    public static VhostNet Open(string path = DevicePath) => new(VhostDevice.Open(path, "vhost_net"));

    /// <summary>A device already opened: for unit tests of the device model (see <see cref="VhostDevice.FromHandle"/>).</summary>
    internal static VhostNet FromDevice(VhostDevice device) => new(device);

    /// <summary>VHOST_NET_SET_BACKEND: queue <paramref name="queue"/> moves frames through the tap <paramref name="tapFd"/> (-1: stop).</summary>
    public void SetBackend(uint queue, int tapFd)
    {
        var file = new VhostVringFile { Index = queue, Fd = tapFd };
        Device.Call(VhostIoctl.NetSetBackend, &file, "VHOST_NET_SET_BACKEND");
    }

    public void Dispose() => Device.Dispose();
}
