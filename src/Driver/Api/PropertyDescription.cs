namespace Kvm.Driver.Api;

/// <summary>A property of an interface description: its name, type signature and whether Set may change it.</summary>
public sealed record PropertyDescription(string Name, string Signature, bool IsWritable);
