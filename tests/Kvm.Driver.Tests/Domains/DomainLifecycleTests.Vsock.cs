using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Domains;

/// <summary>
/// <c>&lt;vsock&gt;&lt;cid auto='yes'/&gt;</c> as kvmd starts it: each running domain gets a CID none of the others
/// holds, shown on its live definition as libvirt shows it; kvm-vmm is told to claim exactly that CID; the inactive
/// definition keeps auto='yes' alone, and a stopped domain's CID is free again.
/// </summary>
public sealed partial class DomainLifecycleTests
{
    private const string AutoVsock = "<serial type='null'/><vsock model='virtio'><cid auto='yes'/></vsock>";

    [Test]
    public async Task StartAsync_TwoDomainsWithAutoCids_GetDifferentCidsOnTheirLiveXml()
    {
        var a = _core.Definitions.Define(VsockXml("a", AutoVsock)).Uuid;
        var b = _core.Definitions.Define(VsockXml("b", AutoVsock)).Uuid;
        var c = _core.Definitions.Define(VsockXml("c", "<serial type='null'/><vsock model='virtio'><cid auto='no' address='3'/></vsock>")).Uuid;

        await _core.Lifecycle.StartAsync(a, paused: false, CancellationToken.None);
        await _core.Lifecycle.StartAsync(b, paused: false, CancellationToken.None);

        Assert.That(_core.Definitions.GetXmlDesc(a, default), Does.Contain("<cid auto='yes' address='3'/>"));
        Assert.That(_core.Definitions.GetXmlDesc(b, default), Does.Contain("<cid auto='yes' address='4'/>"));
        Assert.That(File.ReadAllText(_core.Runtime.XmlPathOf("b")), Does.Contain("<cid auto='no' address='4'/>"), "kvm-vmm claims exactly the CID the live XML shows");
        Assert.That(_core.Definitions.GetXmlDesc(b, DomainXmlFlags.Inactive), Does.Contain("<cid auto='yes'/>"), "the definition itself keeps auto='yes' alone");
        Assert.That(_core.Definitions.GetXmlDesc(c, default), Does.Contain("<cid auto='no' address='3'/>"), "a fixed CID is left as it is");

        // a's CID is free again once it stops, and the next automatic start takes it.
        await _core.Lifecycle.DestroyAsync(a, CancellationToken.None);
        var d = _core.Definitions.Define(VsockXml("d", AutoVsock)).Uuid;
        await _core.Lifecycle.StartAsync(d, paused: false, CancellationToken.None);
        Assert.That(_core.Definitions.GetXmlDesc(d, default), Does.Contain("<cid auto='yes' address='3'/>"));
    }

    private static string VsockXml(string name, string devices) =>
        TestDomains.Xml(name).Replace("<serial type='null'/>", devices, StringComparison.Ordinal);
}
