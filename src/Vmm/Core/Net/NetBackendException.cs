namespace Kvm.Vmm.Net;

/// <summary>A network backend could not be set up (before the VM starts): the message names the interface and why.</summary>
public sealed class NetBackendException(string message, Exception? innerException = null) : Exception(message, innerException);
