namespace Kvm.DBus.Protocol;

/// <summary>The message type byte of the header (specification, "Message Types").</summary>
public enum MessageType : byte
{
    Invalid = 0,
    MethodCall = 1,
    MethodReturn = 2,
    Error = 3,
    Signal = 4,
}
