namespace Kvm.Driver.Secrets;

/// <summary>One lifecycle event of a secret, raised by <see cref="SecretManager"/> in the order its operations happened.</summary>
public readonly record struct SecretLifecycleEvent(Guid Uuid, SecretEventType Event);
