namespace Kvm.Driver.Api;

/// <summary>A method of an interface description: its name and the signature of its in-arguments.</summary>
public sealed record MethodDescription(string Name, string InSignature);
