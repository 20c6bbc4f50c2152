using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Domains;

public sealed class ProcNetDevTests
{
    // As the kernel prints it (net/core/net-procfs.c): two header lines, names right-aligned to six columns.
    private const string Table = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:     840      10    0    0    0     0          0         0      840      10    0    0    0     0       0          0
        vnet12: 1234567    8901    2    3    0     0          0         5  7654321    1098    4    6    0     0       0          0
         vnet1:       1       2    3    4    5     6          7         8        9      10   11   12   13    14      15         16
        """;

    [Test]
    public void TryFind_Device_HostCountersFromTheirColumns()
    {
        Assert.That(ProcNetDev.TryFind(Table, "vnet12", out InterfaceCounters c), Is.True);
        Assert.That(c, Is.EqualTo(new InterfaceCounters(1234567, 8901, 2, 3, 7654321, 1098, 4, 6)));
    }

    [Test]
    public void TryFind_NameThatPrefixesAnother_OnlyTheExactName()
    {
        Assert.That(ProcNetDev.TryFind(Table, "vnet1", out InterfaceCounters c), Is.True);
        Assert.That(c, Is.EqualTo(new InterfaceCounters(1, 2, 3, 4, 9, 10, 11, 12)));
        Assert.That(ProcNetDev.TryFind(Table, "vnet", out _), Is.False);
    }

    [TestCase("")]
    [TestCase("vnet0: 1 2 3")]
    [TestCase("vnet0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x")]
    [TestCase("vnet0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 -16")]
    [TestCase("vnet0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 18446744073709551616")]
    public void TryFind_MalformedLine_False(string table) =>
        Assert.That(ProcNetDev.TryFind(table, "vnet0", out _), Is.False);

    [Test]
    public void Swapped_RxAndTxChangePlaces()
    {
        var host = new InterfaceCounters(1, 2, 3, 4, 5, 6, 7, 8);
        Assert.That(host.Swapped(), Is.EqualTo(new InterfaceCounters(5, 6, 7, 8, 1, 2, 3, 4)));
        Assert.That(host.Swapped().Swapped(), Is.EqualTo(host));
    }
}
