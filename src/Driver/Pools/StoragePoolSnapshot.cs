namespace Kvm.Driver.Pools;

/// <summary>What a pool is at one moment: identity, state, persistence, autostart.</summary>
public sealed record StoragePoolSnapshot(Guid Uuid, string Name, string TargetPath, bool Active, bool Persistent, bool Autostart);
