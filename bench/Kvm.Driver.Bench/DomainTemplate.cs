using System.Globalization;
using System.Text.RegularExpressions;

namespace Kvm.Driver.Bench;

/// <summary>
/// Distinct definitions from one domain XML: the template's name (everywhere it occurs, so disk and socket paths
/// follow it), its uuid and its MAC addresses are replaced by bench-NNNN, a fixed-seed random uuid and
/// 52:54:00:xx:xx:xx.
/// </summary>
internal static partial class DomainTemplate
{
    public static DomainDefinition[] Generate(string templateXml, int count)
    {
        string name = NameElement().Match(templateXml) is { Success: true } m
            ? m.Groups[1].Value
            : throw new InvalidOperationException("The template has no <name>");
        var random = new Random(6);
        var domains = new DomainDefinition[count];
        Span<byte> bytes = stackalloc byte[16];
        for (int i = 0; i < count; i++)
        {
            string domainName = string.Create(CultureInfo.InvariantCulture, $"bench-{i:D4}");
            random.NextBytes(bytes);
            bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40); // RFC 4122 version 4
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
            string uuid = new Guid(bytes, bigEndian: true).ToString("D");
            string mac = string.Create(CultureInfo.InvariantCulture, $"52:54:00:{(i >> 16) & 0xFF:x2}:{(i >> 8) & 0xFF:x2}:{i & 0xFF:x2}");
            string xml = templateXml.Replace(name, domainName, StringComparison.Ordinal);
            xml = UuidElement().Replace(xml, $"<uuid>{uuid}</uuid>", 1);
            xml = MacAddress().Replace(xml, $"<mac address='{mac}'/>");
            domains[i] = new DomainDefinition(domainName, uuid, xml);
        }
        return domains;
    }

    [GeneratedRegex("<name>([^<]+)</name>")]
    private static partial Regex NameElement();

    [GeneratedRegex("<uuid>[^<]*</uuid>")]
    private static partial Regex UuidElement();

    [GeneratedRegex("<mac address=['\"][^'\"]*['\"]\\s*/>")]
    private static partial Regex MacAddress();
}
