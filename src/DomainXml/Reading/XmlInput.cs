using System.Buffers;
using System.Globalization;
using System.Text;
using Kvm.DomainXml.Errors;

namespace Kvm.DomainXml.Reading;

/// <summary>
/// Untrusted XML as bytes (a file, standard input, an RPC string) turned into text the way libxml2 takes it: strict
/// UTF-8 (a UTF-8 byte order mark is skipped), refused with libxml2's message at the first invalid sequence instead of
/// replaced by U+FFFD, and the size limit checked before the whole input is read.
/// </summary>
public static class XmlInput
{
    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes <paramref name="bytes"/>, refusing invalid UTF-8 as libxml2 does.</summary>
    /// <exception cref="DomainXmlException">Not UTF-8 (VIR_ERR_XML_DETAIL's text, with the line and the bytes).</exception>
    public static string Decode(ReadOnlySpan<byte> bytes, string? file)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }

        int invalid = FirstInvalid(bytes);
        if (invalid >= 0)
        {
            ThrowNotUtf8(bytes, invalid, file);
        }

        return s_strict.GetString(bytes);
    }

    /// <summary>Reads and decodes a file, refusing one larger than the limit before reading it.</summary>
    public static string ReadFile(string path, DomainXmlLimits limits)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        if (stream.CanSeek)
        {
            CheckSize(stream.Length, limits, path);
        }

        return ReadStream(stream, limits, path);
    }

    /// <summary>Reads at most the limit (and one byte more, to tell) from <paramref name="stream"/> and decodes it.</summary>
    public static string ReadStream(Stream stream, DomainXmlLimits limits, string? name)
    {
        int cap = limits.MaxCharacters + 1;
        var buffer = new byte[stream.CanSeek ? (int)Math.Min(stream.Length - stream.Position + 1, cap) : Math.Min(cap, 64 * 1024)];
        int length = 0;
        while (length < cap)
        {
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, cap));
            }

            int read = stream.Read(buffer, length, buffer.Length - length);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        CheckSize(length, limits, name);
        return Decode(buffer.AsSpan(0, length), name);
    }

    private static void CheckSize(long bytes, DomainXmlLimits limits, string? name)
    {
        if (bytes > limits.MaxCharacters)
        {
            throw new DomainXmlException(DomainXmlErrorKind.InputRefused,
                $"document is more than {limits.MaxCharacters} bytes long, the limit",
                new SourceLocation(name, 0, 0, string.Empty));
        }
    }

    /// <summary>The offset of the first byte that does not start a valid UTF-8 sequence, or -1.</summary>
    private static int FirstInvalid(ReadOnlySpan<byte> bytes)
    {
        int offset = 0;
        while (offset < bytes.Length)
        {
            if (bytes[offset] < 0x80)
            {
                offset++;
                continue;
            }

            if (Rune.DecodeFromUtf8(bytes[offset..], out _, out int consumed) != OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return -1;
    }

    private static void ThrowNotUtf8(ReadOnlySpan<byte> bytes, int offset, string? file)
    {
        int line = 1 + bytes[..offset].Count((byte)'\n');
        int lineStart = bytes[..offset].LastIndexOf((byte)'\n') + 1;
        var shown = new StringBuilder("Input is not proper UTF-8, indicate encoding !\nBytes:");
        foreach (byte b in bytes.Slice(offset, Math.Min(4, bytes.Length - offset)))
        {
            shown.Append(CultureInfo.InvariantCulture, $" 0x{b:X2}");
        }

        throw new DomainXmlException(DomainXmlErrorKind.Detail, shown.ToString(),
            new SourceLocation(file, line, offset - lineStart + 1, string.Empty));
    }
}
