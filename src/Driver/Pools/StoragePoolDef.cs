namespace Kvm.Driver.Pools;

/// <summary>A storage pool's definition as kvmd keeps it: a <c>dir</c> pool, its name, uuid and target directory.</summary>
public sealed record StoragePoolDef(string Name, Guid Uuid, string TargetPath, UnixFileMode? TargetMode);
