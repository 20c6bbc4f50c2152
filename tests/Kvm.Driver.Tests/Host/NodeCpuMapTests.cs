using Kvm.Driver.Domains;
using Kvm.Driver.Host;

namespace Kvm.Driver.Tests.Host;

/// <summary>virNodeGetCPUMap from fabricated sysfs maps: size from the present map, bits from the online map.</summary>
public sealed class NodeCpuMapTests
{
    [Test]
    public void Read_SomeCpusOffline_PresentSizedMapOfOnlineCpus()
    {
        string root = Directory.CreateTempSubdirectory("kvmd-cpumap-").FullName;
        try
        {
            string dir = Path.Combine(root, "devices/system/cpu");
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "present"), "0-9\n");
            File.WriteAllText(Path.Combine(dir, "online"), "0-2,4,8-9\n");
            var map = NodeCpuMap.Read(0, root);
            Assert.That(map.Count, Is.EqualTo(10));
            Assert.That(map.OnlineCount, Is.EqualTo(6));
            Assert.That(map.ToBytes(), Is.EqualTo(new byte[] { 0b0001_0111, 0b0000_0011 }));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestCase("0", new[] { 0 })]
    [TestCase("0-3", new[] { 0, 1, 2, 3 })]
    [TestCase("1,3-4\n", new[] { 1, 3, 4 })]
    public void ParseList_SysfsLists_TheCpus(string text, int[] cpus) => Assert.That(NodeCpuMap.ParseList(text), Is.EquivalentTo(cpus));

    [TestCase("3-1")]
    [TestCase("a")]
    public void ParseList_Malformed_InternalError(string text) =>
        Assert.That(() => NodeCpuMap.ParseList(text), Throws.TypeOf<DomainOperationException>());

    [Test]
    public void Read_Flags_LibvirtsError() =>
        Assert.That(() => NodeCpuMap.Read(1), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo("unsupported flags (0x1) in function virHostCPUGetMap"));
}
