namespace Kvm.Vmm.Boot;

/// <summary>The guest cannot be booted as configured: a kernel that is not a bzImage, an initrd that does not fit, ...</summary>
public sealed class BootException(string message) : Exception(message);
