namespace Kvm.DomainXml.Model;

/// <summary><c>&lt;memory&gt;</c>, <c>&lt;currentMemory&gt;</c> and <c>&lt;maxMemory&gt;</c>, all in KiB.</summary>
public sealed record MemoryDef(ulong TotalKiB, ulong CurrentKiB, ulong? MaxKiB, uint? Slots, bool? DumpCore);
