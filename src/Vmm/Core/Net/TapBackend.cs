using System.Runtime.InteropServices;
using Kvm.Vmm.Interop;
using Microsoft.Win32.SafeHandles;
using NLog;

namespace Kvm.Vmm.Net;

/// <summary>
/// A tap (/dev/net/tun with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, a 12-byte header) as a virtio-net backend. A tap it
/// creates is not persistent: closing the descriptor when the VM stops removes it, and with it its bridge membership.
/// Offloads start off (TUNSETOFFLOAD 0: frames from the host are whole and checksummed); the device turns on those
/// the guest's driver accepted (GUEST_CSUM, GUEST_TSO4/6).
/// </summary>
public sealed class TapBackend : INetBackend
{
    /// <summary>sizeof(struct virtio_net_hdr_v1): the header before each frame on the tap.</summary>
    public const int HeaderSize = 12;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly SafeFileHandle _tap;
    private bool _queueAttached = true;

    private TapBackend(SafeFileHandle tap, string name)
    {
        _tap = tap;
        Name = name;
    }

    public string Name { get; }

    public SafeHandle ReadHandle => _tap;

    /// <summary>Opens (or creates) the tap; throws <see cref="NetBackendException"/> with the reason.</summary>
    public static TapBackend Open(TapOptions options) => OpenQueues(options, 1)[0];

    /// <summary>
    /// Opens (or creates) the tap with <paramref name="queues"/> queues, one descriptor each: one queue is a plain tap,
    /// as before; more make it IFF_MULTI_QUEUE, TUNSETIFF on the same name once per queue (an unmanaged tap must have
    /// been created multi_queue). Set up (MAC, MTU, bridge, up) once. Throws <see cref="NetBackendException"/>.
    /// </summary>
    public static IReadOnlyList<TapBackend> OpenQueues(TapOptions options, int queues)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(queues, 1);
        string pattern = options.Name ?? "vnet%d";
        if (!options.Managed && NetIo.IndexOf(pattern) < 0)
        {
            throw new NetBackendException($"The unmanaged tap '{pattern}' does not exist (create it first, or drop managed='no')");
        }

        if (options.Bridge is { } bridge && NetIo.IndexOf(bridge) is var index && index < 0)
        {
            throw new NetBackendException(index == -Libc.ENoDev
                ? $"The bridge '{bridge}' does not exist (create it first, e.g. ip link add {bridge} type bridge)"
                : $"Cannot use bridge '{bridge}': {Libc.ErrorText(-index)}");
        }

        short flags = (short)(NetIo.IffTap | NetIo.IffNoPi | NetIo.IffVnetHdr | (queues > 1 ? NetIo.IffMultiQueue : 0));
        var opened = new List<TapBackend>(queues);
        try
        {
            for (int i = 0; i < queues; i++)
            {
                opened.Add(OpenQueue(i == 0 ? pattern : opened[0].Name, flags, queues));
            }

            if (options.Managed)
            {
                opened[0].SetUp(options);
            }

            s_log.Info("Tap {Tap} opened with {Queues} queue(s){Bridge}", opened[0].Name, queues, options.Bridge is null ? string.Empty : $" on bridge {options.Bridge}");
            return opened;
        }
        catch
        {
            opened.ForEach(t => t.Dispose());
            throw;
        }
    }

    private static TapBackend OpenQueue(string name, short flags, int queues)
    {
        int result = NetIo.OpenTap(name, flags, out var handle, out string actual);
        if (result < 0 || handle is null)
        {
            string hint = queues > 1 && result == -NetIo.EInval ? $" (a tap for {queues} queues must be multi_queue)" : string.Empty;
            throw new NetBackendException($"Cannot open tap '{name}' through /dev/net/tun: {Libc.ErrorText(-result)}{hint}");
        }

        var backend = new TapBackend(handle, actual);
        try
        {
            backend.Check(NetIo.SetVnetHeaderSize(handle, HeaderSize), "set its virtio-net header size");
            backend.Check(NetIo.SetOffload(handle, 0), "turn its offloads off");
            return backend;
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Attaches this queue of a multi-queue tap (the kernel may steer frames to it) or detaches it (none come), as the
    /// driver's number of queue pairs says; false (logged) when the kernel refuses.
    /// </summary>
    public bool TrySetQueueEnabled(bool enabled)
    {
        if (_queueAttached == enabled)
        {
            return true; // the kernel answers EINVAL to attaching an attached queue, and to detaching a detached one
        }

        int result = NetIo.SetQueue(_tap, enabled);
        if (result < 0)
        {
            s_log.Warn("Tap {Tap}: cannot {Action} a queue: {Error}", Name, enabled ? "attach" : "detach", Libc.ErrorText(-result));
            return false;
        }

        _queueAttached = enabled;
        return true;
    }

    public NetOffloads SupportedOffloads => NetOffloads.Checksum | NetOffloads.Tso4 | NetOffloads.Tso6;

    public bool TrySetOffloads(NetOffloads offloads)
    {
        // TUN_F_CSUM 0x01, TUN_F_TSO4 0x02, TUN_F_TSO6 0x04 (linux/if_tun.h): the same bits as NetOffloads.
        int result = NetIo.SetOffload(_tap, (uint)offloads);
        if (result < 0)
        {
            s_log.Warn("Tap {Tap}: cannot set offloads {Offloads}: {Error}", Name, offloads, Libc.ErrorText(-result));
        }

        return result == 0;
    }

    /// <summary>TUNSETVNETHDRSZ: the virtio_net_hdr size before each frame (vhost-net sets it from the features the guest accepted).</summary>
    public bool TrySetHeaderSize(int size)
    {
        int result = NetIo.SetVnetHeaderSize(_tap, size);
        if (result < 0)
        {
            s_log.Warn("Tap {Tap}: cannot set its virtio-net header size to {Size}: {Error}", Name, size, Libc.ErrorText(-result));
        }

        return result == 0;
    }

    public int Read(Span<byte> frame) => NetIo.Read(_tap, frame);

    public int Write(ReadOnlySpan<byte> frame) => NetIo.Write(_tap, frame);

    public void Dispose() => _tap.Dispose();

    private void SetUp(TapOptions options)
    {
        if (options.GuestMac is { Length: 6 } mac)
        {
            byte[] host = [0xfe, mac[1], mac[2], mac[3], mac[4], mac[5]];
            Check(NetIo.SetHardwareAddress(Name, host), "set its MAC address");
        }

        if (options.Mtu is { } mtu)
        {
            Check(NetIo.SetMtu(Name, mtu), $"set its MTU to {mtu}");
        }

        if (options.Bridge is { } bridge)
        {
            Check(NetIo.AddToBridge(bridge, Name), $"add it to bridge '{bridge}'");
        }

        Check(NetIo.BringUp(Name), "bring it up");
    }

    private void Check(int result, string what)
    {
        if (result < 0)
        {
            throw new NetBackendException($"Tap '{Name}': cannot {what}: {Libc.ErrorText(-result)}");
        }
    }
}
