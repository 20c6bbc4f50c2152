using System.Globalization;
using Kvm.Vmm.Devices;
using Kvm.Vmm.Machine;

namespace Kvm.Vmm.Launch;

/// <summary>
/// <c>--debug-exit [iobase=N,iosize=N]</c>: QEMU's <c>-device isa-debug-exit</c> properties, in decimal or 0x hex;
/// either may be left out (QEMU's defaults, 0x501 and 2).
/// </summary>
internal static class DebugExitOption
{
    public static DebugExitConfig Parse(string? value)
    {
        var config = new DebugExitConfig();
        if (string.IsNullOrEmpty(value))
        {
            return config;
        }

        foreach (string item in value.Split(','))
        {
            int equals = item.IndexOf('=', StringComparison.Ordinal);
            string key = equals < 0 ? item : item[..equals];
            if (equals < 0 || !TryParseNumber(item[(equals + 1)..], out uint number))
            {
                throw Invalid(value, $"'{item}' is not key=number");
            }

            config = key switch
            {
                "iobase" when number <= ushort.MaxValue => config with { IoBase = (ushort)number },
                "iosize" when number is > 0 and <= ushort.MaxValue => config with { IoSize = (ushort)number },
                "iobase" or "iosize" => throw Invalid(value, $"{key}={number} is out of range"),
                _ => throw Invalid(value, $"unknown property '{key}'"),
            };
        }

        if (config.IoBase + config.IoSize > 0x10000)
        {
            throw Invalid(value, "the ports run past 0xffff");
        }

        return config;
    }

    private static bool TryParseNumber(string text, out uint number) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out number)
            : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number);

    private static LaunchException Invalid(string value, string why) =>
        new($"--debug-exit {value}: {why}; expected iobase=N,iosize=N (default iobase=0x{IsaDebugExit.DefaultIoBase:x},iosize={IsaDebugExit.DefaultIoSize})");
}
