namespace Kvm.DBus.Protocol;

/// <summary>The flags byte of the header (specification, "Message Format").</summary>
[Flags]
public enum MessageFlags : byte
{
    None = 0,
    NoReplyExpected = 0x1,
    NoAutoStart = 0x2,
    AllowInteractiveAuthorization = 0x4,
}
