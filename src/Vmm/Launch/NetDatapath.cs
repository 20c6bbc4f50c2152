namespace Kvm.Vmm.Launch;

/// <summary>Which datapath an interface's <c>&lt;driver name&gt;</c> asks for, as libvirt's QEMU driver reads it (qemuInterfaceOpenVhostNet).</summary>
internal enum NetDatapath
{
    /// <summary>No name on a tap: vhost-net when /dev/vhost-net opens and suits, else kvm-vmm's own (logged).</summary>
    VhostIfAvailable,

    /// <summary><c>&lt;driver name='vhost'/&gt;</c>: vhost-net, and an error at start when it is unavailable (libvirt's behaviour).</summary>
    Vhost,

    /// <summary><c>&lt;driver name='qemu'/&gt;</c>, or passt (no tap for the kernel to use): kvm-vmm's own datapath.</summary>
    Userspace,
}
