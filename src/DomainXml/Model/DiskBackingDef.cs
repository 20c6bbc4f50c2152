namespace Kvm.DomainXml.Model;

/// <summary>One image of a disk's <c>&lt;backingStore&gt;</c> chain: its type, source and format.</summary>
public sealed record DiskBackingDef(string Type, string? Source, string? Format);
