using Kvm.DomainXml.Errors;

namespace Kvm.DomainXml.Memory;

/// <summary>libvirt's unit rules (virScaleInteger): b/bytes, KB=1000, k/KiB=1024, MB, M/MiB, ... up to E/EiB.</summary>
public static class MemoryUnits
{
    /// <summary>The multiplier for <paramref name="unit"/>; null when the unit is unknown.</summary>
    public static ulong? Scale(string? unit, ulong defaultScale)
    {
        if (string.IsNullOrEmpty(unit))
        {
            return defaultScale;
        }

        if (unit.Equals("b", StringComparison.OrdinalIgnoreCase) || unit.Equals("byte", StringComparison.OrdinalIgnoreCase)
            || unit.Equals("bytes", StringComparison.OrdinalIgnoreCase))
        {
            return 1;
        }

        int power = char.ToLowerInvariant(unit[0]) switch
        {
            'k' => 1,
            'm' => 2,
            'g' => 3,
            't' => 4,
            'p' => 5,
            'e' => 6,
            _ => 0,
        };
        if (power == 0)
        {
            return null;
        }

        ulong baseValue;
        var rest = unit.AsSpan(1);
        if (rest.Length == 0 || rest.Equals("iB", StringComparison.OrdinalIgnoreCase))
        {
            baseValue = 1024;
        }
        else if (rest.Equals("B", StringComparison.OrdinalIgnoreCase))
        {
            baseValue = 1000;
        }
        else
        {
            return null;
        }

        ulong scale = 1;
        for (int i = 0; i < power; i++)
        {
            scale *= baseValue;
        }

        return scale;
    }

    /// <summary>Converts value × unit to KiB, rounding up as libvirt does (virDomainParseMemory).</summary>
    public static bool TryToKiB(ulong value, string? unit, out ulong kib, out string? error)
    {
        kib = 0;
        ulong? scale = Scale(unit, 1024);
        if (scale is null)
        {
            error = $"unknown suffix '{unit}'";
            return false;
        }

        UInt128 bytes = (UInt128)value * scale.Value;
        UInt128 k = (bytes + 1023) / 1024;
        // libvirt caps memory at what a 64-bit byte count can hold, expressed in KiB.
        if (bytes > ulong.MaxValue || k > ulong.MaxValue / 1024)
        {
            error = "size value is too large";
            return false;
        }

        kib = (ulong)k;
        error = null;
        return true;
    }

    internal static DomainXmlErrorKind ErrorKindFor(string error) =>
        error.StartsWith("unknown suffix", StringComparison.Ordinal) ? DomainXmlErrorKind.InvalidArgument : DomainXmlErrorKind.XmlError;
}
