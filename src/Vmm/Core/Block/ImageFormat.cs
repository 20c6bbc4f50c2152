namespace Kvm.Vmm.Block;

/// <summary>The image formats kvm-vmm reads and writes (libvirt's <c>&lt;driver type=...&gt;</c>).</summary>
public enum ImageFormat
{
    Raw,
    Qcow2,
}
