namespace Kvm.DBus.Protocol;

/// <summary>The header of a message being written, kept until the body is complete.</summary>
internal struct HeaderInfo
{
    public MessageType Type;
    public MessageFlags Flags;
    public string? Path;
    public string? Interface;
    public string? Member;
    public string? ErrorName;
    public uint ReplySerial;
    public string? Destination;
    public string? Signature;
}
