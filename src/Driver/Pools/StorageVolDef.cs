namespace Kvm.Driver.Pools;

/// <summary>A new volume as its XML asks for it: name, capacity in bytes, format (raw).</summary>
public sealed record StorageVolDef(string Name, ulong Capacity, string Format);
