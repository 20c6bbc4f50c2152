using System.Diagnostics;

namespace Kvm.Driver.Bench;

/// <summary>The latencies of one call type against one server, accumulated over the rounds.</summary>
internal sealed class Samples
{
    private readonly List<long> _ticks = [];
    private readonly List<double> _roundP50s = [];

    public int Count => _ticks.Count;

    public int Errors { get; private set; }

    /// <summary>Wall time of the measured loops (sum over rounds), for calls per second.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>The server process's processor time over the measured loops.</summary>
    public TimeSpan ServerProcessorTime { get; private set; }

    public IReadOnlyList<double> RoundP50s => _roundP50s;

    public void AddRound(long[] ticks, int errors, TimeSpan elapsed, TimeSpan serverProcessorTime)
    {
        _ticks.AddRange(ticks);
        long[] sorted = (long[])ticks.Clone();
        Array.Sort(sorted);
        _roundP50s.Add(ToMicroseconds(sorted[sorted.Length / 2]));
        Errors += errors;
        Elapsed += elapsed;
        ServerProcessorTime += serverProcessorTime;
    }

    public LatencySummary Summarize()
    {
        long[] sorted = _ticks.ToArray();
        Array.Sort(sorted);
        double Quantile(double q) => ToMicroseconds(sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))]);
        double mean = ToMicroseconds(sorted.Average());
        return new LatencySummary(
            sorted.Length, Quantile(0.50), Quantile(0.90), Quantile(0.99), mean,
            sorted.Length / Elapsed.TotalSeconds, ServerProcessorTime.TotalMicroseconds / sorted.Length, Errors);
    }

    private static double ToMicroseconds(double ticks) => ticks * 1e6 / Stopwatch.Frequency;
}
