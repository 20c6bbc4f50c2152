namespace Kvm.Driver.Vmm;

/// <summary>Everything needed to start one kvm-vmm: the executable, the live definition file, the monitor and the log.</summary>
public sealed record VmmLaunchRequest(string VmmPath, string DomainXmlPath, string QmpSocketPath, string LogPath);
