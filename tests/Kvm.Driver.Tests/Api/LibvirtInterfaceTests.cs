using Kvm.Driver.Api;

namespace Kvm.Driver.Tests.Api;

[TestFixture]
public sealed class LibvirtInterfaceTests
{
    [Test]
    public void Connect_Embedded_HasLibvirtDBus141Members()
    {
        LibvirtInterface connect = LibvirtInterface.Connect;
        Assert.That((connect.Description.Methods.Count, connect.Description.Properties.Count, connect.Description.Signals.Count), Is.EqualTo((56, 5, 5)));
    }

    [Test]
    public void Domain_Embedded_Is141WithoutBlockThreshold()
    {
        LibvirtInterface domain = LibvirtInterface.Domain;
        Assert.That((domain.Description.Methods.Count, domain.Description.Properties.Count, domain.Description.Signals.Count), Is.EqualTo((93, 9, 21)));
        Assert.That(domain.Description.FindMethod("SetBlockThreshold"), Is.Null);
    }

    [TestCase("OpenGraphicsFD", "virDomainOpenGraphicsFD")]
    [TestCase("Save", "virDomainSaveFlags")]
    [TestCase("FSTrim", "virDomainFSTrim")]
    [TestCase("GetStats", "virDomainListGetStats")]
    public void ApiName_DomainMethod_FromDocString(string member, string api) => Assert.That(LibvirtInterface.Domain.ApiName(member), Is.EqualTo(api));

    [TestCase("NodeGetMemoryStats", "virNodeGetMemoryStats")]
    [TestCase("GetDomainCapabilities", "virConnectGetDomainCapabilities")]
    [TestCase("DomainLookupByUUID", "virDomainLookupByUUIDString")]
    public void ApiName_ConnectMethod_FromDocString(string member, string api) => Assert.That(LibvirtInterface.Connect.ApiName(member), Is.EqualTo(api));

    [Test]
    public void ApiName_EveryMethod_IsAVirFunction()
    {
        foreach (LibvirtInterface iface in new[] { LibvirtInterface.Connect, LibvirtInterface.Domain })
        {
            foreach (var method in iface.Description.Methods)
            {
                Assert.That(iface.ApiName(method.Name), Does.Match("^vir[A-Z][A-Za-z0-9]+$"), method.Name);
            }
        }
    }
}
