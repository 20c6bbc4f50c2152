namespace Kvm.Driver.Secrets;

/// <summary>
/// A secret's definition as libvirt's secret XML holds it (secret.rng): its UUID, whether it lives only in memory
/// (ephemeral) and whether its value may be read back (private), a description and what it is used for.
/// <see cref="UsageId"/> is null exactly when <see cref="UsageType"/> is none.
/// </summary>
public sealed record SecretDef(Guid Uuid, bool Ephemeral, bool Private, string? Description, SecretUsageType UsageType, string? UsageId);
