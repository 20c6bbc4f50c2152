using Kvm.Driver.Api;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Api;

/// <summary>org.libvirt.Domain.InterfaceAddresses through busctl: libvirt-dbus's a(ssa(isu)) and libvirt's errors.</summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(60000)]
public sealed class InterfaceAddressesApiTests : ApiBusFixture
{
    [Test]
    public void InterfaceAddresses_TwoAddresses_NameMacAndTypedAddresses()
    {
        ExternalTool.Require(ExternalTool.Busctl, "systemd");
        Manager.InterfaceAddresses =
        [
            new DomainInterfaceAddresses("vnet0", "52:54:00:12:34:56", [new DomainIpAddress(0, "192.168.122.50", 24), new DomainIpAddress(1, "fd00::50", 64)]),
        ];

        string output = Check("call", "org.libvirt", TestDomainPath, "org.libvirt.Domain", "InterfaceAddresses", "uu", "0", "0");

        Assert.That(output, Is.EqualTo("a(ssa(isu)) 1 \"vnet0\" \"52:54:00:12:34:56\" 2 0 \"192.168.122.50\" 24 1 \"fd00::50\" 64\n"));
    }

    [Test]
    public void InterfaceAddresses_NoAddresses_EmptyArray()
    {
        ExternalTool.Require(ExternalTool.Busctl, "systemd");
        Assert.That(Check("call", "org.libvirt", TestDomainPath, "org.libvirt.Domain", "InterfaceAddresses", "uu", "2", "0"), Is.EqualTo("a(ssa(isu)) 0\n"));
    }

    [Test]
    public void InterfaceAddresses_StoppedDomain_DomainIsNotRunning()
    {
        ExternalTool.Require(ExternalTool.Busctl, "systemd");
        Check("call", "org.libvirt", TestDomainPath, "org.libvirt.Domain", "Destroy", "u", "0");
        (int exit, _, string stderr) = ExternalTool.Run(Bus.Address, ExternalTool.Busctl, "--user", "call", "org.libvirt", TestDomainPath,
            "org.libvirt.Domain", "InterfaceAddresses", "uu", "0", "0");
        Assert.That(exit, Is.Not.Zero);
        Assert.That(stderr, Does.Contain("domain is not running"));
    }

    private string Check(params string[] args)
    {
        (int exit, string stdout, string stderr) = ExternalTool.Run(Bus.Address, ExternalTool.Busctl, ["--user", .. args]);
        Assert.That(exit, Is.EqualTo(0), stderr);
        return stdout;
    }
}
