using Kvm.Driver.Runtime;
using NUnit.Framework;

namespace Kvm.Driver.Tests.Runtime;

public sealed class ProcStatTests
{
    [Test]
    public void TryParse_CommandWithSpacesAndParentheses_CountsFieldsFromTheLastParenthesis()
    {
        string line = "4242 (kvm vmm) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 987654 1000 100 1 1 1 1 1 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0";
        Assert.That(ProcStat.TryParse(line, out var stat), Is.True);
        Assert.That(stat, Is.EqualTo(new ProcStat('S', 250, 50, 3, 987654)));
        Assert.That(stat.CpuTimeNs, Is.EqualTo(3_000_000_000UL));
    }

    [TestCase("")]
    [TestCase("1 (x) S 1 2 3")]
    public void TryParse_Truncated_False(string line) => Assert.That(ProcStat.TryParse(line, out _), Is.False);

    [Test]
    public void IsSameLiveProcess_OwnProcess_TrueOnlyWithItsStartTime()
    {
        Assert.That(ProcStat.TryRead(Environment.ProcessId, out var stat), Is.True);
        Assert.That(ProcStat.IsSameLiveProcess(Environment.ProcessId, stat.StartTime), Is.True);
        Assert.That(ProcStat.IsSameLiveProcess(Environment.ProcessId, stat.StartTime + 1), Is.False, "pid reuse");
    }
}
