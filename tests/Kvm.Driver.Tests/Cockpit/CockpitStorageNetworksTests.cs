using Kvm.Driver.Api;
using Kvm.Driver.Tests.Api;
using Kvm.Driver.Tests.Networks;

namespace Kvm.Driver.Tests.Cockpit;

/// <summary>
/// cockpit-machines' Storage pools and Networks pages in one headless Chromium session against kvmd
/// (<see cref="CockpitSession"/>), kvmd inside a network namespace of the test's own so that the network Cockpit
/// creates and starts (a bridge, dnsmasq, nftables rules) stays in there. cockpit_storage_networks.py creates, starts,
/// fills, empties and deletes a directory pool, sees a pool whose directory is missing fail to start with kvmd's
/// reason, and creates, starts, changes (autostart, a static DHCP host added and removed) and deletes a NAT network
/// through the pages, checking each step in kvmd, with qemu-img, with ip and in dnsmasq's hosts file. Screenshots go to artifacts/cockpit/storage-networks/.
/// </summary>
[TestFixture]
[Category("Cockpit")]
[NonParallelizable]
[CancelAfter(180_000)]
public sealed class CockpitStorageNetworksTests
{
    private NetNamespace? _netns;
    private CockpitSession? _session;

    [SetUp]
    public async Task StartAsync()
    {
        CockpitSession.RequireTools();
        ExternalTool.Require("/usr/bin/qemu-img", "qemu-utils");
        _netns = NetNamespace.Create(("nft", "nftables"), ("dnsmasq", "dnsmasq-base"));
        _session = await CockpitSession.StartAsync(_netns);
    }

    [TearDown]
    public void Stop()
    {
        // kvmd leaves running networks up when it exits (as libvirtd does); the namespace takes them and dnsmasq along.
        _session?.Dispose();
        _netns?.Dispose();
    }

    [Test]
    public void StoragePoolsAndNetworksPages_CreateUseAndDelete_ActOnKvmd()
    {
        string existing = Directory.CreateDirectory(Path.Combine(_session!.Directory, "existing-pool")).FullName;
        string created = Directory.CreateDirectory(Path.Combine(_session.Directory, "created-pool")).FullName;

        _session.StartCockpit();
        _session.RunScript("cockpit_storage_networks.py", TimeSpan.FromSeconds(150), _session.MachinesUrl,
            _session.BusAddress, LibvirtPaths.Connect, CockpitSession.Screenshots("storage-networks"), existing, created,
            _netns!.Name, _session.RuntimeDirectory);

        // Cockpit's calls on these pages are all ones kvmd serves: none answered libvirt's "not supported".
        string[] unsupported = _session.KvmdLog.Split('\n').Where(l => l.Contains("not supported")).ToArray();
        Assert.That(unsupported, Is.Empty, "kvmd answered \"not supported\" to Cockpit:\n" + string.Join('\n', unsupported));
    }
}
