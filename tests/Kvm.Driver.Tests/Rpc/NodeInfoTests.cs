using Kvm.Driver.Api;
using Kvm.Driver.Rpc;

namespace Kvm.Driver.Tests.Rpc;

public sealed class NodeInfoTests
{
    [Test]
    public void From_TwoSocketsTwoCoresTwoThreads_LibvirtsPerNodePerSocketPerCoreCounts()
    {
        HostCpu[] cpus = Enumerable.Range(0, 8).Select(i => new HostCpu(i, SocketId: i / 4, DieId: 0, CoreId: i / 2 % 2, Siblings: "", Node: 0)).ToArray();
        var host = new HostInfo("x86_64", "GenuineIntel", "cpu", [new HostNumaCell(0, 1024, cpus)], 1024, [4], false, new Dictionary<string, string>());
        Assert.That(NodeInfo.From(host, 2000), Is.EqualTo(new NodeInfo("x86_64", 1024, 8, 2000, 1, 2, 2, 2)));
    }

    [Test]
    public void Write_Model_ThirtyTwoCharUnitsThenCounts()
    {
        string hex = XdrWriterTests.Hex((ref XdrWriter w) => new NodeInfo("x86", 16, 1, 2, 1, 1, 1, 1).Write(ref w));
        Assert.That(hex, Is.EqualTo("00000078" + "00000038" + "00000036" + string.Concat(Enumerable.Repeat("00000000", 29))
            + "0000000000000010" + "00000001" + "00000002" + "00000001" + "00000001" + "00000001" + "00000001"));
    }
}
