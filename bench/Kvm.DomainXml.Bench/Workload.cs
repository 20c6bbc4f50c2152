using System.Diagnostics;
using System.Runtime;

namespace Kvm.DomainXml.Bench;

/// <summary>
/// Runs one step per document, round-robin over the corpus, on the calling thread until the time is up, and
/// measures it: <see cref="Stopwatch"/> timestamps, the process's processor time, the thread's allocation counter,
/// the GC counts and the number of methods the JIT compiled meanwhile.
/// </summary>
internal sealed class Workload
{
    private readonly string _name;
    private readonly IReadOnlyList<CorpusDocument> _documents;
    private readonly Func<int, int> _step;
    private long _sink; // sum of the step results, so the work stays observable

    /// <param name="step">Processes document <c>i</c>; returns a length so the work cannot be optimised away.</param>
    public Workload(string name, IReadOnlyList<CorpusDocument> documents, Func<int, int> step)
    {
        _name = name;
        _documents = documents;
        _step = step;
    }

    /// <summary>
    /// Runs without measuring, for the JIT and tiered compilation: at least <paramref name="minimum"/>, then in
    /// half-second rounds until a round compiles at most two methods (tiering runs on a background thread and lags
    /// on a busy machine), or <paramref name="maximum"/> has passed.
    /// </summary>
    public void WarmUp(TimeSpan minimum, TimeSpan maximum)
    {
        long start = Stopwatch.GetTimestamp();
        Loop(minimum, out _, out _);
        long compiled;
        do
        {
            compiled = JitInfo.GetCompiledMethodCount();
            Loop(TimeSpan.FromSeconds(0.5), out _, out _);
        }
        while (JitInfo.GetCompiledMethodCount() - compiled > 2 && Stopwatch.GetElapsedTime(start) < maximum);
    }

    public Measurement Measure(TimeSpan duration)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Environment.CpuUsage.TotalTime;
        long jitted = JitInfo.GetCompiledMethodCount();
        long start = Stopwatch.GetTimestamp();

        long end = Loop(duration, out long documents, out long inputBytes);

        cpu = Environment.CpuUsage.TotalTime - cpu;
        jitted = JitInfo.GetCompiledMethodCount() - jitted;
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        return new Measurement(_name, documents, Stopwatch.GetElapsedTime(start, end).TotalSeconds, cpu.TotalSeconds,
            inputBytes, allocated, GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1,
            GC.CollectionCount(2) - gen2, jitted);
    }

    private long Loop(TimeSpan duration, out long documents, out long inputBytes)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long sink = 0, bytes = 0, count = 0, now;
        int i = 0;
        do
        {
            sink += _step(i);
            bytes += _documents[i].Utf8Bytes;
            count++;
            if (++i == _documents.Count)
            {
                i = 0;
            }

            now = Stopwatch.GetTimestamp();
        }
        while (now < deadline);

        _sink += sink;
        documents = count;
        inputBytes = bytes;
        return now;
    }
}
