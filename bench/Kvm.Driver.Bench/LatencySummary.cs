namespace Kvm.Driver.Bench;

/// <summary>One row of the results: latency quantiles and mean in microseconds, calls per second, server CPU per call.</summary>
internal readonly record struct LatencySummary(
    int Calls, double P50, double P90, double P99, double Mean, double CallsPerSecond, double ServerCpuPerCall, int Errors);
