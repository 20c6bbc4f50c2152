namespace Kvm.Driver.Secrets;

/// <summary>virSecretEventLifecycleType.</summary>
public enum SecretEventType
{
    Defined = 0,
    Undefined = 1,
}
