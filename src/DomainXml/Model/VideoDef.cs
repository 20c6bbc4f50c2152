namespace Kvm.DomainXml.Model;

/// <summary><c>&lt;video&gt;&lt;model type vram heads primary/&gt;&lt;/video&gt;</c>.</summary>
public sealed record VideoDef(string ModelType, bool Primary);
