namespace Kvm.Vmm.Tests;

/// <summary>
/// A guest that serves one vsock connection, built from real parts: Debian's kernel with its own virtio_pci (and no
/// more of the harness's guest modules) and vsock
/// modules (KVM_NESTED_MODULES, KVM_NESTED_VSOCK_MODULES: vsock, vmw_vsock_virtio_transport_common,
/// vmw_vsock_virtio_transport) and this machine's socat with its libraries (busybox speaks no vsock). Its /init says
/// <see cref="Listening"/>, echoes back everything the host sends to vsock port <see cref="Port"/> (socat to cat),
/// then says <see cref="Done"/> and powers off.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class VsockGuest
{
    public const int Port = 5000;
    public const string Listening = "VSOCK-LISTENING";
    public const string Done = "VSOCK-DONE";

    /// <summary>The vsock modules' directory the harness provides (KVM_NESTED_VSOCK_MODULES), or null.</summary>
    public static string? ModulesPath()
    {
        string? path = Environment.GetEnvironmentVariable("KVM_NESTED_VSOCK_MODULES");
        return path is not null && File.Exists(Path.Combine(path, "vmw_vsock_virtio_transport.ko")) ? path : null;
    }

    public static string BuildInitramfs(string directory, string socat) => DiskGuest.BuildInitramfs(directory, $$"""
        B=/bin/busybox
        for i in $($B seq 1 100); do [ -e /dev/vsock ] && break; $B sleep 0.1; done
        echo "VSOCK dev=$($B ls /dev/vsock 2>&1)"
        echo "{{Listening}} uptime=$($B cut -d' ' -f1 /proc/uptime)"
        {{socat}} -t 30 VSOCK-LISTEN:{{Port}} EXEC:"/bin/busybox cat" && echo VSOCK-SERVED
        echo "{{Done}} uptime=$($B cut -d' ' -f1 /proc/uptime)"
        $B poweroff -f
        """, ModulesPath() ?? throw new InvalidOperationException("KVM_NESTED_VSOCK_MODULES is not set"), DiskGuest.WithLibraries(socat),
        ["virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci"]);
}
