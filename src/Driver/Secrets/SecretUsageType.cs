namespace Kvm.Driver.Secrets;

/// <summary>virSecretUsageType: what a secret is for, and the element of <c>&lt;usage&gt;</c> that names it.</summary>
public enum SecretUsageType
{
    None = 0,   // VIR_SECRET_USAGE_TYPE_NONE
    Volume = 1, // VIR_SECRET_USAGE_TYPE_VOLUME: <volume>path</volume>
    Ceph = 2,   // VIR_SECRET_USAGE_TYPE_CEPH: <name>
    Iscsi = 3,  // VIR_SECRET_USAGE_TYPE_ISCSI: <target>
    Tls = 4,    // VIR_SECRET_USAGE_TYPE_TLS: <name>
    Vtpm = 5,   // VIR_SECRET_USAGE_TYPE_VTPM: <name>
}
