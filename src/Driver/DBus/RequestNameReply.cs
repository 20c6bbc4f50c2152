namespace Kvm.DBus;

/// <summary>The four results of org.freedesktop.DBus.RequestName.</summary>
public enum RequestNameReply : uint
{
    PrimaryOwner = 1,
    InQueue = 2,
    Exists = 3,
    AlreadyOwner = 4,
}
