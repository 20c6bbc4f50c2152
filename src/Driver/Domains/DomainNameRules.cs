using System.Text;

namespace Kvm.Driver.Domains;

/// <summary>
/// What a domain name may contain, checked wherever a name enters the driver (define, create, rename).
/// </summary>
/// <remarks>
/// libvirt 9.0's floor: every driver's define refuses a newline (<c>virXMLCheckIllegalChars("name", name, "\n")</c>:
/// VIR_ERR_XML_DETAIL, "invalid char in name: 0x0a") and domain_conf refuses '/'. We are stricter on purpose, with the
/// same message: a name is a file name under the state and runtime directories and is printed by <c>kvmctl list</c>
/// and in logs, so every C0 and C1 control character and DEL (terminal escapes, a CR that hides what precedes it in
/// a listing) and the Unicode bidirectional controls (text that reads differently from what it is, CVE-2021-42574)
/// are refused too. The name must also fit, with its longest suffix (<c>_VARS.fd</c> of the NVRAM file), in one
/// 255-byte file name, or saving it would fail with a raw path error.
/// </remarks>
internal static class DomainNameRules
{
    /// <summary>The longest file name a Linux file system takes (NAME_MAX).</summary>
    public const int MaxFileNameBytes = 255;

    /// <summary>The longest suffix a per-domain file adds to the name: nvram/NAME_VARS.fd.</summary>
    public const string LongestSuffix = "_VARS.fd";

    public static readonly int MaxNameBytes = MaxFileNameBytes - LongestSuffix.Length;

    /// <summary>Throws libvirt's error for a name that must not be stored.</summary>
    public static void Check(string name)
    {
        if (name.Length == 0)
        {
            throw new DomainOperationException(VirErrorCode.XmlError, "XML error: domain name must not be empty");
        }

        foreach (char c in name)
        {
            if (IsRefused(c))
            {
                throw new DomainOperationException(VirErrorCode.XmlDetail, "invalid char in name: " + Describe(c));
            }
        }

        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new DomainOperationException(VirErrorCode.XmlError, $"XML error: name {name} cannot contain '/'");
        }

        if (name is "." or "..")
        {
            throw new DomainOperationException(VirErrorCode.XmlError, $"XML error: name {name} is not a valid domain name");
        }

        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > MaxNameBytes)
        {
            throw new DomainOperationException(VirErrorCode.XmlError,
                $"XML error: domain name is {bytes} bytes long, more than the {MaxNameBytes} bytes that fit in its file names");
        }
    }

    /// <summary>Control characters (C0, DEL, C1) and the Unicode bidirectional formatting characters.</summary>
    public static bool IsRefused(char c) => c switch
    {
        < '\u0020' or '\u007f' => true,
        >= '\u0080' and <= '\u009f' => true,
        '\u061c' => true,                         // ARABIC LETTER MARK
        '\u200e' or '\u200f' => true,             // LRM, RLM
        >= '\u202a' and <= '\u202e' => true,      // LRE, RLE, PDF, LRO, RLO
        >= '\u2066' and <= '\u2069' => true,      // LRI, RLI, FSI, PDI
        _ => false,
    };

    // libvirt prints the offending byte as 0x%02x; a character beyond Latin-1 is shown as its code point.
    private static string Describe(char c) => c < '\u0100' ? $"0x{(int)c:x2}" : $"U+{(int)c:X4}";
}
