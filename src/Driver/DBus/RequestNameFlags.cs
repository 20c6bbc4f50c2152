namespace Kvm.DBus;

/// <summary>Flags of org.freedesktop.DBus.RequestName (specification, "Message Bus Messages").</summary>
[Flags]
public enum RequestNameFlags : uint
{
    None = 0,
    AllowReplacement = 0x1,
    ReplaceExisting = 0x2,
    DoNotQueue = 0x4,
}
