namespace Kvm.DBus.Protocol;

/// <summary>Limits from the specification ("Valid Signatures", "Message Format").</summary>
public static class ProtocolLimits
{
    public const int MaxMessageLength = 128 * 1024 * 1024;   // 2^27
    public const int MaxArrayLength = 64 * 1024 * 1024;      // 2^26
    public const int MaxSignatureLength = 255;
    public const int MaxArrayDepth = 32;
    public const int MaxStructDepth = 32;
    public const int MaxVariantDepth = 64;
    public const int MaxNameLength = 255;
    public const int FixedHeaderLength = 16;
    public const byte ProtocolVersion = 1;
    public const byte LittleEndianMark = (byte)'l';
    public const byte BigEndianMark = (byte)'B';
}
