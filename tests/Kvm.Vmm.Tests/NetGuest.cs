namespace Kvm.Vmm.Tests;

/// <summary>
/// A guest that tests its NIC against the host, built from real parts: Debian's kernel with its own virtio_pci and
/// virtio_net (KVM_NESTED_MODULES, KVM_NESTED_NET_MODULES) and busybox's ip, ping and nc. Its /init reports the MAC,
/// MTU and carrier eth0 has, configures <see cref="GuestAddress"/>, pings <see cref="HostAddress"/>, sends
/// <see cref="TransferBytes"/> random bytes to the host's port <see cref="UpPort"/>, then receives as many on its own
/// port <see cref="DownPort"/>, printing the md5 of both, then reports its carrier going down and up (QMP set_link
/// from the host) and powers off.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class NetGuest
{
    public const string HostAddress = "10.77.0.1";
    public const string GuestAddress = "10.77.0.2";
    public const int UpPort = 5001;
    public const int DownPort = 5002;
    public const int TransferBytes = 4 << 20;
    public const string Listening = "GUEST-LISTENING";
    public const string Done = "NET-DONE";

    /// <summary>Printed once the transfers are over: the guest then waits for its carrier to go down, then up again.</summary>
    public const string WaitLinkDown = "WAIT-LINK-DOWN";
    public const string CarrierDown = "CARRIER-DOWN-SEEN";
    public const string CarrierUp = "CARRIER-UP-SEEN";

    /// <summary>The network modules' directory the harness provides (KVM_NESTED_NET_MODULES), or null.</summary>
    public static string? ModulesPath()
    {
        string? path = Environment.GetEnvironmentVariable("KVM_NESTED_NET_MODULES");
        return path is not null && File.Exists(Path.Combine(path, "virtio_net.ko")) ? path : null;
    }

    public static string BuildInitramfs(string directory) => DiskGuest.BuildInitramfs(directory, $$"""
        B=/bin/busybox
        for i in $($B seq 1 100); do [ -e /sys/class/net/eth0 ] && break; $B sleep 0.1; done
        N=/sys/class/net/eth0
        echo "NET mac=$($B cat $N/address) mtu=$($B cat $N/mtu)"
        $B ip link set lo up
        $B ip link set eth0 up
        $B ip addr add {{GuestAddress}}/24 dev eth0
        for i in $($B seq 1 100); do [ "$($B cat $N/carrier 2>/dev/null)" = 1 ] && break; $B sleep 0.1; done
        echo "NET carrier=$($B cat $N/carrier)"
        echo "NET queues=$(cd $N/queues && echo *)"
        for i in $($B seq 1 30); do $B ping -c 1 -W 2 {{HostAddress}} >/dev/null 2>&1 && { echo PING-HOST-OK; break; }; done
        $B dd if=/dev/urandom of=/up.bin bs=65536 count={{TransferBytes / 65536}} 2>/dev/null
        echo "UP-MD5 $($B md5sum /up.bin)"
        $B nc {{HostAddress}} {{UpPort}} </up.bin && echo UP-SENT
        $B nc -l -p {{DownPort}} </dev/null >/down.bin &
        echo {{Listening}}
        wait $!
        echo "DOWN-MD5 $($B md5sum /down.bin) size=$($B wc -c </down.bin)"
        echo "NET rx=$($B cat $N/statistics/rx_packets) tx=$($B cat $N/statistics/tx_packets)"
        echo {{WaitLinkDown}}
        for i in $($B seq 1 600); do [ "$($B cat $N/carrier)" = 0 ] && { echo {{CarrierDown}}; break; }; $B sleep 0.1; done
        for i in $($B seq 1 600); do [ "$($B cat $N/carrier)" = 1 ] && { echo {{CarrierUp}}; break; }; $B sleep 0.1; done
        echo {{Done}}
        $B poweroff -f
        """, ModulesPath() ?? throw new InvalidOperationException("KVM_NESTED_NET_MODULES is not set"));
}
