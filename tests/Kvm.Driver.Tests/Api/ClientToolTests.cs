using Kvm.Driver.Api;

namespace Kvm.Driver.Tests.Api;

/// <summary>kvmd's API through gdbus, busctl and dbus-send, with the outputs the reference transcript shows for libvirt-dbus.</summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(60000)]
public sealed class ClientToolTests : ApiBusFixture
{
    [Test]
    public void Gdbus_GetAllDomain_ShowsDoubleWrappedValues()
    {
        ExternalTool.Require(ExternalTool.GDBus, "libglib2.0-bin");
        string output = Check(ExternalTool.GDBus, "call", "--session", "--dest", "org.libvirt", "--object-path", TestDomainPath,
            "--method", "org.freedesktop.DBus.Properties.GetAll", "org.libvirt.Domain");
        Assert.That(output, Does.Contain("'Active': <<true>>").And.Contain("'Id': <<uint32 1>>").And.Contain("'Name': <<'test'>>")
            .And.Contain("'SchedulerType': <<('posix', 0)>>").And.Contain("'UUID': <<'6695eb01-f6a4-8304-79aa-97f2502e193f'>>"));
    }

    [Test]
    public void Busctl_ListDomainsAndGetProperty_AsTranscript()
    {
        ExternalTool.Require(ExternalTool.Busctl, "systemd");
        Assert.That(Check(ExternalTool.Busctl, "--user", "call", "org.libvirt", LibvirtPaths.Connect, "org.libvirt.Connect", "ListDomains", "u", "0"),
            Is.EqualTo($"ao 1 \"{TestDomainPath}\"\n"));
        Assert.That(Check(ExternalTool.Busctl, "--user", "get-property", "org.libvirt", LibvirtPaths.Connect, "org.libvirt.Connect", "LibVersion", "Version"),
            Is.EqualTo("t 9000000\nt 7002000\n"));
        Assert.That(Check(ExternalTool.Busctl, "--user", "call", "org.libvirt", TestDomainPath, "org.libvirt.Domain", "GetState", "u", "0"),
            Is.EqualTo("(ii) 1 1\n"));
    }

    [Test]
    public void DbusSend_Errors_AsLibvirtDBus()
    {
        ExternalTool.Require(ExternalTool.DBusSend, "dbus-bin");
        (_, _, string notFound) = ExternalTool.Run(Bus.Address, ExternalTool.DBusSend, "--session", "--print-reply", "--dest=org.libvirt",
            LibvirtPaths.Connect, "org.libvirt.Connect.DomainLookupByName", "string:nosuch");
        Assert.That(notFound.Trim(), Is.EqualTo("Error org.libvirt.Error: Domain not found: no domain with matching name 'nosuch'"));
        (_, _, string noSuch) = ExternalTool.Run(Bus.Address, ExternalTool.DBusSend, "--session", "--print-reply", "--dest=org.libvirt",
            LibvirtPaths.Connect, "org.libvirt.Connect.NoSuch");
        Assert.That(noSuch.Trim(), Is.EqualTo("Error org.freedesktop.DBus.Error.UnknownMethod: No such method “NoSuch”"));
    }

    [Test]
    public void Busctl_Tree_ShowsConnectAndDomains()
    {
        ExternalTool.Require(ExternalTool.Busctl, "systemd");
        string tree = Check(ExternalTool.Busctl, "--user", "tree", "--list", "org.libvirt");
        Assert.That(tree.Split('\n'), Does.Contain(LibvirtPaths.Connect).And.Contain(TestDomainPath));
    }

    private string Check(string tool, params string[] args)
    {
        (int exit, string stdout, string stderr) = ExternalTool.Run(Bus.Address, tool, args);
        Assert.That(exit, Is.EqualTo(0), stderr);
        return stdout;
    }
}
