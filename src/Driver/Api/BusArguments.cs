using Kvm.DomainXml.Errors;
using Kvm.DomainXml.Reading;
using Kvm.Driver.Domains;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// String arguments checked as bytes before they become strings: an over-long one is refused without decoding it
/// (a UTF-16 copy of a 120 MiB argument is 240 MiB more), and XML must be UTF-8 as libxml2 requires.
/// </summary>
internal static class BusArguments
{
    /// <summary>An XML document argument: at most libvirt's 10 MiB, strict UTF-8.</summary>
    public static string ReadXml(ref Reader args)
    {
        ReadOnlySpan<byte> bytes = args.ReadStringAsSpan();
        try
        {
            if (bytes.Length > DomainXmlLimits.DefaultMaxCharacters)
            {
                throw new DomainXmlException(DomainXmlErrorKind.InputRefused,
                    $"document is more than {DomainXmlLimits.DefaultMaxCharacters} bytes long, the limit");
            }

            return XmlInput.Decode(bytes, null);
        }
        catch (DomainXmlException e)
        {
            throw DomainErrors.FromXml(e);
        }
    }

    /// <summary>libvirt's REMOTE_STRING_MAX: the longest string its RPC carries to the daemon.</summary>
    public const int MaxStringBytes = 4 * 1024 * 1024;

    /// <summary>
    /// A domain name argument: up to libvirt's RPC string limit (a 4 MiB name reaches libvirt's daemon and comes back
    /// in its error), a longer one refused without decoding it.
    /// </summary>
    public static string ReadDomainName(ref Reader args)
    {
        ReadOnlySpan<byte> bytes = args.ReadStringAsSpan();
        if (bytes.Length > MaxStringBytes)
        {
            throw DomainErrors.InvalidArg($"domain name is {bytes.Length} bytes long, more than libvirt's string limit of {MaxStringBytes}");
        }

        return System.Text.Encoding.UTF8.GetString(bytes);
    }
}
