namespace Kvm.DBus;

/// <summary>The results of org.freedesktop.DBus.ReleaseName.</summary>
public enum ReleaseNameReply : uint
{
    Released = 1,
    NonExistent = 2,
    NotOwner = 3,
}
