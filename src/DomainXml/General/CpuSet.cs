using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Kvm.DomainXml.Errors;

namespace Kvm.DomainXml.General;

/// <summary>libvirt's CPU/node list syntax ("0-3,^2,8"), parsed into a set and written back as ranges (virBitmapFormat).</summary>
public static class CpuSet
{
    public const int MaxCpu = 16384;

    public static SortedSet<int> Parse(string text, XElement? at = null, string? attribute = null)
    {
        var set = new SortedSet<int>();
        var excluded = new HashSet<int>();
        foreach (string rawPart in text.Split(','))
        {
            string part = rawPart.Trim();
            bool negate = part.StartsWith('^');
            if (negate)
            {
                part = part[1..];
            }

            int dash = part.IndexOf('-');
            int last = 0;
            bool ok = TryCpu(dash < 0 ? part : part[..dash], out int first)
                && TryCpu(dash < 0 ? part : part[(dash + 1)..], out last) && last >= first && !(negate && dash >= 0);
            if (!ok)
            {
                ThrowHelper.Throw(DomainXmlErrorKind.InvalidArgument, $"Failed to parse bitmap '{text}'", at, attribute);
            }

            ISet<int> target = negate ? excluded : set;
            for (int cpu = first; cpu <= last; cpu++)
            {
                target.Add(cpu);
            }
        }

        set.ExceptWith(excluded);
        return set;
    }

    public static string Format(IEnumerable<int> cpus)
    {
        var sb = new StringBuilder();
        int start = -1, prev = -2;
        foreach (int cpu in cpus)
        {
            if (cpu == prev + 1)
            {
                prev = cpu;
                continue;
            }

            Append(sb, start, prev);
            start = prev = cpu;
        }

        Append(sb, start, prev);
        return sb.ToString();
    }

    public static string Normalize(string text, XElement? at, string? attribute) => Format(Parse(text, at, attribute));

    private static void Append(StringBuilder sb, int start, int end)
    {
        if (start < 0)
        {
            return;
        }

        if (sb.Length > 0)
        {
            sb.Append(',');
        }

        sb.Append(start);
        if (end > start)
        {
            sb.Append('-').Append(end);
        }
    }

    private static bool TryCpu(string text, out int cpu) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out cpu) && cpu < MaxCpu;
}
