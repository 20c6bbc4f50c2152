namespace Kvm.Driver.Api;

/// <summary>A signal of an interface description: its name and the signature of its arguments.</summary>
public sealed record SignalDescription(string Name, string Signature);
