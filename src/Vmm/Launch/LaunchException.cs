namespace Kvm.Vmm.Launch;

/// <summary>The VM cannot be launched as asked: the message says what and where.</summary>
internal sealed class LaunchException(string message) : Exception(message);
