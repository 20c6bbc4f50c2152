namespace Kvm.Driver.Networks;

/// <summary>What a network is at one moment: identity, bridge, state, persistence, autostart.</summary>
public sealed record NetworkSnapshot(Guid Uuid, string Name, string? Bridge, bool Active, bool Persistent, bool Autostart);
