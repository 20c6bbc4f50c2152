namespace Kvm.DBus.Service;

/// <summary>A signal: its name and arguments.</summary>
public sealed record SignalDescription(string Name, IReadOnlyList<ArgDescription> Args);
