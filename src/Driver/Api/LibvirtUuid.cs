namespace Kvm.Driver.Api;

/// <summary>UUID text as libvirt reads and writes it (virUUIDParse, virUUIDFormat).</summary>
public static class LibvirtUuid
{
    private const int Length = 16;

    /// <summary>
    /// libvirt's liberal parse: surrounding whitespace, '-' or ' ' anywhere between digit pairs, exactly 32 hex
    /// digits ("6695eb01-f6a4-8304-79aa-97f2502e193f", "6695eb01f6a4830479aa97f2502e193f").
    /// </summary>
    public static bool TryParse(string? text, out Guid uuid)
    {
        uuid = Guid.Empty;
        if (text is null)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[Length];
        int pos = 0;
        while (pos < text.Length && IsSpace(text[pos]))
        {
            pos++;
        }
        for (int i = 0; i < Length;)
        {
            if (pos >= text.Length)
            {
                return false;
            }
            if (text[pos] is '-' or ' ')
            {
                pos++;
                continue;
            }
            if (pos + 1 >= text.Length || !char.IsAsciiHexDigit(text[pos]) || !char.IsAsciiHexDigit(text[pos + 1]))
            {
                return false;
            }
            bytes[i++] = (byte)((HexValue(text[pos]) << 4) | HexValue(text[pos + 1]));
            pos += 2;
        }
        for (; pos < text.Length; pos++)
        {
            if (!IsSpace(text[pos]))
            {
                return false;
            }
        }
        uuid = new Guid(bytes, bigEndian: true);
        return true;
    }

    /// <summary>"6695eb01-f6a4-8304-79aa-97f2502e193f" (virUUIDFormat: lower case, hyphenated).</summary>
    public static string Format(Guid uuid) => uuid.ToString("D");

    /// <summary>g_ascii_isspace: space, tab, newline, vertical tab, form feed, carriage return.</summary>
    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
