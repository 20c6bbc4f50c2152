using Kvm.Driver.Api;

namespace Kvm.Driver.Tests.Api;

/// <summary>The block side of org.libvirt.Domain through busctl: the block stats group, BlockResize and GetDiskErrors.</summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(60000)]
public sealed class BlockApiTests : ApiBusFixture
{
    [Test]
    public void GetStats_BlockGroup_HasLibvirtsNamesAndTypes()
    {
        ExternalTool.Require(ExternalTool.Busctl, "systemd");
        string output = Check("call", "org.libvirt", TestDomainPath, "org.libvirt.Domain", "GetStats", "uu", "32", "0");
        Assert.That(output, Does.StartWith("a{sv} 14 "));
        Assert.That(output, Does.Contain("\"block.count\" v u 1").And.Contain("\"block.0.name\" v s \"vda\"")
            .And.Contain("\"block.0.path\" v s \"/var/lib/images/disk.qcow2\"").And.Contain("\"block.0.rd.reqs\" v t 10")
            .And.Contain("\"block.0.wr.bytes\" v t 20480").And.Contain("\"block.0.fl.times\" v t 300")
            .And.Contain("\"block.0.capacity\" v t 1073741824").And.Contain("\"block.0.physical\" v t 196608"));
    }

    [Test]
    public void BlockResize_KiBAndBytes_ReachTheManager()
    {
        ExternalTool.Require(ExternalTool.Busctl, "systemd");
        Check("call", "org.libvirt", TestDomainPath, "org.libvirt.Domain", "BlockResize", "stu", "vda", "2048", "0");
        Assert.That(Manager.ResizedTo, Is.EqualTo(2048UL * 1024));
        Check("call", "org.libvirt", TestDomainPath, "org.libvirt.Domain", "BlockResize", "stu", "vda", "4096", "1");
        Assert.That(Manager.ResizedTo, Is.EqualTo(4096UL));
    }

    [Test]
    public void BlockResize_UnknownDisk_IsLibvirtsInvalidArgument()
    {
        ExternalTool.Require(ExternalTool.Busctl, "systemd");
        (int exit, _, string stderr) = ExternalTool.Run(Bus.Address, ExternalTool.Busctl, "--user", "call", "org.libvirt", TestDomainPath,
            "org.libvirt.Domain", "BlockResize", "stu", "vdz", "1", "0");
        Assert.That(exit, Is.Not.Zero);
        Assert.That(stderr, Does.Contain("invalid argument: disk 'vdz' was not found in the domain config"));
    }

    [Test]
    public void GetDiskErrors_HealthyDisks_AnswersAnEmptyList()
    {
        ExternalTool.Require(ExternalTool.Busctl, "systemd");
        Assert.That(Check("call", "org.libvirt", TestDomainPath, "org.libvirt.Domain", "GetDiskErrors", "u", "0"), Is.EqualTo("a(si) 0\n"));
    }

    private string Check(params string[] args)
    {
        (int exit, string stdout, string stderr) = ExternalTool.Run(Bus.Address, ExternalTool.Busctl, ["--user", .. args]);
        Assert.That(exit, Is.EqualTo(0), stderr);
        return stdout;
    }
}
