using System.Globalization;

namespace Kvm.DomainXml.Bench;

/// <summary>What one workload did in its measured interval, on one thread.</summary>
internal readonly record struct Measurement(
    string Workload, long Documents, double Seconds, double CpuSeconds, long InputBytes, long AllocatedBytes,
    int Gen0, int Gen1, int Gen2, long JittedMethods)
{
    public const string Header =
        "workload                documents   seconds  cpu %      docs/s    us/doc   MB/s in   KiB alloc/doc   gen0  gen1  gen2   jit";

    /// <summary>Processor time of the process over wall time: below ~100, other processes took the processor.</summary>
    public double CpuPercent => CpuSeconds * 100 / Seconds;

    public double DocumentsPerSecond => Documents / Seconds;

    public double MicrosecondsPerDocument => Seconds * 1e6 / Documents;

    /// <summary>Input consumed, in MB (10^6 bytes of UTF-8) per second.</summary>
    public double InputMegabytesPerSecond => InputBytes / Seconds / 1e6;

    public double AllocatedKibibytesPerDocument => AllocatedBytes / 1024.0 / Documents;

    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "{0,-22} {1,10} {2,9:F3} {3,6:F0} {4,11:F1} {5,9:F1} {6,9:F2} {7,15:F1} {8,6} {9,5} {10,5} {11,5}",
        Workload, Documents, Seconds, CpuPercent, DocumentsPerSecond, MicrosecondsPerDocument, InputMegabytesPerSecond,
        AllocatedKibibytesPerDocument, Gen0, Gen1, Gen2, JittedMethods);
}
