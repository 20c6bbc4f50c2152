namespace Kvm.DBus.Service;

/// <summary>A method or signal argument: its name (may be empty) and type signature.</summary>
public sealed record ArgDescription(string Name, string Signature);
