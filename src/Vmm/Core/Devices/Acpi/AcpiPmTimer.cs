using System.Diagnostics;

namespace Kvm.Vmm.Devices.Acpi;

/// <summary>
/// The ACPI power-management timer (ACPI 6.5, 4.8.3.3): a free-running counter at 3.579545 MHz, 24 bits wide on
/// PIIX4, read through PM_TMR. Firmware times its delays with it, so it follows the host's monotonic clock exactly.
/// </summary>
public sealed class AcpiPmTimer
{
    public const long Frequency = 3_579_545;
    public const uint Mask = 0xff_ffff;

    private readonly long _start;
    private readonly Func<long> _timestamp;
    private readonly long _timestampFrequency;

    public AcpiPmTimer()
        : this(Stopwatch.GetTimestamp, Stopwatch.Frequency)
    {
    }

    /// <summary>A timer on another clock (<paramref name="timestamp"/> ticking at <paramref name="timestampFrequency"/> per second).</summary>
    public AcpiPmTimer(Func<long> timestamp, long timestampFrequency)
    {
        _timestamp = timestamp;
        _timestampFrequency = timestampFrequency;
        _start = timestamp();
    }

    /// <summary>The counter's value now.</summary>
    public uint Read()
    {
        ulong elapsed = (ulong)Math.Max(0, _timestamp() - _start);
        var ticks = (UInt128)elapsed * (ulong)Frequency / (ulong)_timestampFrequency;
        return (uint)(ticks & Mask);
    }
}
