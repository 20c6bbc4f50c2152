using System.Globalization;
using System.Xml.Linq;

namespace Kvm.Kvmctl;

/// <summary>What kvmctl reads from a domain's XML itself: memory sizes and vCPUs (dominfo's fallbacks) and the console pty.</summary>
internal sealed class DomainXmlFacts
{
    private readonly XElement _root;

    private DomainXmlFacts(XElement root) => _root = root;

    public static DomainXmlFacts Parse(string xml) => new(XElement.Parse(xml));

    /// <summary>&lt;memory&gt; in KiB; null when absent or unreadable.</summary>
    public ulong? MaxMemoryKiB => MemoryKiB(_root.Element("memory"));

    /// <summary>&lt;currentMemory&gt; in KiB, else &lt;memory&gt;.</summary>
    public ulong? CurrentMemoryKiB => MemoryKiB(_root.Element("currentMemory")) ?? MaxMemoryKiB;

    /// <summary>&lt;vcpu current='n'&gt;, else the &lt;vcpu&gt; count.</summary>
    public uint? Vcpus
    {
        get
        {
            XElement? vcpu = _root.Element("vcpu");
            string? text = (string?)vcpu?.Attribute("current") ?? vcpu?.Value.Trim();
            return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint count) ? count : null;
        }
    }

    /// <summary>
    /// The pty of the first serial port (else the first console) of type pty, as a running domain's live XML gives
    /// it (<c>&lt;source path='/dev/pts/N'/&gt;</c> or the <c>tty</c> attribute); null when there is none.
    /// </summary>
    public string? ConsolePty(out bool hasPtyDevice)
    {
        XElement? devices = _root.Element("devices");
        XElement? device = devices?.Elements("serial").FirstOrDefault(IsPty) ?? devices?.Elements("console").FirstOrDefault(IsPty);
        hasPtyDevice = device is not null;
        string? path = (string?)device?.Element("source")?.Attribute("path") ?? (string?)device?.Attribute("tty");
        return string.IsNullOrEmpty(path) ? null : path;

        static bool IsPty(XElement e) => (string?)e.Attribute("type") == "pty";
    }

    private static ulong? MemoryKiB(XElement? element)
    {
        if (element is null || !ulong.TryParse(element.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
        {
            return null;
        }
        ulong bytesPerUnit = ((string?)element.Attribute("unit") ?? "KiB") switch
        {
            "b" or "bytes" => 1,
            "KB" => 1000,
            "k" or "K" or "KiB" => 1024,
            "MB" => 1000_000,
            "M" or "MiB" => 1UL << 20,
            "GB" => 1000_000_000,
            "G" or "GiB" => 1UL << 30,
            "TB" => 1000_000_000_000,
            "T" or "TiB" => 1UL << 40,
            _ => 0,
        };
        return bytesPerUnit == 0 ? null : (checked(value * bytesPerUnit) + 1023) / 1024; // libvirt rounds up to KiB
    }
}
