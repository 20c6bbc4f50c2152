namespace Kvm.Driver.Api;

/// <summary>virConnectListAllDomainsFlags: groups of filters; a group with no bit set lets everything through.</summary>
[Flags]
public enum DomainListFlags : uint
{
    None = 0,
    Active = 1,
    Inactive = 2,
    Persistent = 4,
    Transient = 8,
    Running = 16,
    Paused = 32,
    Shutoff = 64,
    Other = 128,
    ManagedSave = 256,
    NoManagedSave = 512,
    Autostart = 1024,
    NoAutostart = 2048,
    HasSnapshot = 4096,
    NoSnapshot = 8192,
    HasCheckpoint = 16384,
    NoCheckpoint = 32768,
    All = 65535,
}
