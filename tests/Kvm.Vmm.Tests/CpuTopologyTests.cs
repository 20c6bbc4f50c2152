using Kvm.Vmm.Machine;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

public sealed class CpuTopologyTests
{
    [Test]
    public void ApicId_Flat_IsTheIndex()
    {
        var topology = CpuTopology.Flat(4);
        Assert.That(Enumerable.Range(0, 4).Select(topology.ApicId), Is.EqualTo(new[] { 0, 1, 2, 3 }));
        Assert.That(topology.SocketOf(3), Is.EqualTo(3));
    }

    [Test]
    public void ApicId_ThreeCoresTwoSockets_LeavesAHoleForTheFourthCore()
    {
        var topology = new CpuTopology(Sockets: 2, Cores: 3, Threads: 1);
        Assert.That(topology.CoreBits, Is.EqualTo(2));
        Assert.That(Enumerable.Range(0, 6).Select(topology.ApicId), Is.EqualTo(new[] { 0, 1, 2, 4, 5, 6 }));
    }

    [Test]
    public void ApicId_TwoThreadsPerCore_ThreadsAreTheLowBits()
    {
        var topology = new CpuTopology(Sockets: 1, Cores: 2, Threads: 2);
        Assert.Multiple(() =>
        {
            Assert.That(Enumerable.Range(0, 4).Select(topology.ApicId), Is.EqualTo(new[] { 0, 1, 2, 3 }));
            Assert.That(Enumerable.Range(0, 4).Select(topology.CoreOf), Is.EqualTo(new[] { 0, 0, 1, 1 }));
            Assert.That(Enumerable.Range(0, 4).Select(topology.ThreadOf), Is.EqualTo(new[] { 0, 1, 0, 1 }));
            Assert.That(topology.ThreadsPerSocket, Is.EqualTo(4));
        });
    }
}
