namespace Kvm.Vmm.Monitor;

/// <summary>What the VMM does when the guest powers off, reboots or crashes (the domain's on_* elements).</summary>
internal sealed record LifecyclePolicy(LifecycleChoice OnPoweroff, LifecycleChoice OnReboot, LifecycleChoice OnCrash)
{
    /// <summary>libvirt's defaults: destroy on power-off and crash, restart on reboot.</summary>
    public static LifecyclePolicy Default { get; } = new(LifecycleChoice.Destroy, LifecycleChoice.Restart, LifecycleChoice.Destroy);
}

/// <summary>The actions the VMM carries out itself; libvirt's others (preserve, rename-restart, coredump-*) map onto these.</summary>
internal enum LifecycleChoice
{
    Destroy,
    Restart,
}
