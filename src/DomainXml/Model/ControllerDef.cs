namespace Kvm.DomainXml.Model;

/// <summary><c>&lt;controller type index model&gt;</c>.</summary>
public sealed record ControllerDef(string Type, int Index, string? Model);
