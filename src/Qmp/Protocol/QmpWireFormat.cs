using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Kvm.Qmp.Protocol;

/// <summary>
/// Rewrites compact JSON (as Utf8JsonWriter produces it) into the bytes QEMU's json-writer produces:
/// separators <c>", "</c> and <c>": "</c>, lower-case exponent, every string ASCII only with
/// <c>\b \f \n \r \t \" \\</c> short escapes and <c>\uXXXX</c> (upper-case hex, surrogate pairs above
/// U+FFFF) for everything else outside 0x20..0x7E. The caller appends the <c>\r\n</c> terminator.
/// </summary>
public static class QmpWireFormat
{
    private static ReadOnlySpan<byte> HexDigits => "0123456789ABCDEF"u8;

    public static void Rewrite(ReadOnlySpan<byte> compact, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int i = 0;
        while (i < compact.Length)
        {
            byte b = compact[i];
            switch (b)
            {
                case (byte)'"':
                    i = RewriteString(compact, i, output);
                    break;
                case (byte)',':
                    output.Write(", "u8);
                    i++;
                    break;
                case (byte)':':
                    output.Write(": "u8);
                    i++;
                    break;
                case (byte)'E':
                    output.Write("e"u8);
                    i++;
                    break;
                default:
                    int run = i + 1;
                    while (run < compact.Length && compact[run] is not ((byte)'"' or (byte)',' or (byte)':' or (byte)'E'))
                    {
                        run++;
                    }

                    output.Write(compact[i..run]);
                    i = run;
                    break;
            }
        }
    }

    private static int RewriteString(ReadOnlySpan<byte> json, int start, IBufferWriter<byte> output)
    {
        output.Write("\""u8);
        Span<char> units = stackalloc char[2];
        int i = start + 1;
        while (i < json.Length)
        {
            byte b = json[i];
            if (b == (byte)'"')
            {
                output.Write("\""u8);
                return i + 1;
            }

            if (b == (byte)'\\')
            {
                byte e = json[i + 1];
                if (e == (byte)'u')
                {
                    Utf8Parser.TryParse(json.Slice(i + 2, 4), out ushort unit, out _, 'X');
                    WriteCodeUnit(unit, output);
                    i += 6;
                }
                else
                {
                    output.Write(e == (byte)'/' ? "/"u8 : json.Slice(i, 2));
                    i += 2;
                }

                continue;
            }

            if (b < 0x80)
            {
                WriteCodeUnit(b, output);
                i++;
                continue;
            }

            OperationStatus status = Rune.DecodeFromUtf8(json[i..], out Rune rune, out int consumed);
            if (status != OperationStatus.Done)
            {
                rune = Rune.ReplacementChar;
            }

            int count = rune.EncodeToUtf16(units);
            for (int u = 0; u < count; u++)
            {
                WriteHexEscape(units[u], output);
            }

            i += Math.Max(consumed, 1);
        }

        return i;
    }

    private static void WriteCodeUnit(int unit, IBufferWriter<byte> output)
    {
        switch (unit)
        {
            case '"': output.Write("\\\""u8); return;
            case '\\': output.Write("\\\\"u8); return;
            case '\b': output.Write("\\b"u8); return;
            case '\f': output.Write("\\f"u8); return;
            case '\n': output.Write("\\n"u8); return;
            case '\r': output.Write("\\r"u8); return;
            case '\t': output.Write("\\t"u8); return;
        }

        if (unit is >= 0x20 and < 0x7F)
        {
            output.GetSpan(1)[0] = (byte)unit;
            output.Advance(1);
            return;
        }

        WriteHexEscape(unit, output);
    }

    private static void WriteHexEscape(int unit, IBufferWriter<byte> output)
    {
        Span<byte> span = output.GetSpan(6);
        span[0] = (byte)'\\';
        span[1] = (byte)'u';
        span[2] = HexDigits[(unit >> 12) & 0xF];
        span[3] = HexDigits[(unit >> 8) & 0xF];
        span[4] = HexDigits[(unit >> 4) & 0xF];
        span[5] = HexDigits[unit & 0xF];
        output.Advance(6);
    }
}
