namespace Kvm.DBus.Protocol;

/// <summary>Header field codes (specification, "Header Fields").</summary>
public enum HeaderField : byte
{
    Invalid = 0,
    Path = 1,        // o
    Interface = 2,   // s
    Member = 3,      // s
    ErrorName = 4,   // s
    ReplySerial = 5, // u
    Destination = 6, // s
    Sender = 7,      // s
    Signature = 8,   // g
    UnixFds = 9,     // u
}
