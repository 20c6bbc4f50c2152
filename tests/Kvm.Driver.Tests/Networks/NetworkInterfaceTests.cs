using Kvm.Driver.Domains;
using Kvm.Driver.Networks;
using Kvm.Driver.Tests.Domains;

namespace Kvm.Driver.Tests.Networks;

/// <summary>
/// &lt;interface type='network'&gt; through the real DomainManager and NetworkManager: a domain starts only on a running
/// network, and its live definition carries the network's bridge (which kvm-vmm's mapping puts its tap on, as for
/// type='bridge'). The VMM is kvm-vmm without a machine, so no tap is made here.
/// </summary>
[CancelAfter(60_000)]
public sealed class NetworkInterfaceTests
{
    [Test]
    public async Task Start_InterfaceOnANetwork_RefusedWhileItIsDownThenOnItsBridge()
    {
        await using var f = new ManagerFixture();
        var networks = new NetworkManager(f.Options.StateDirectory, f.Options.RuntimeDirectory, new RecordingRealiser());
        networks.Load();
        NetworkSnapshot net = networks.Define("<network><name>default</name><forward mode='nat'/><ip address='192.168.122.1' prefix='24'/></network>");
        await using var manager = new DomainManager(f.Options with { NetworkBridges = networks.BridgeOf });
        await manager.InitializeAsync(CancellationToken.None);
        string xml = TestDomains.Xml("guest").Replace("<serial type='null'/>",
            "<serial type='null'/><interface type='network'><source network='default'/><model type='virtio'/></interface>", StringComparison.Ordinal);
        DomainInfo domain = manager.Define(xml);

        Assert.That(async () => await manager.StartAsync(domain.Uuid, paused: true, CancellationToken.None), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: network 'default' is not active"));
        Assert.That(manager.LookupByUuid(domain.Uuid).State, Is.EqualTo(DomainState.Shutoff));

        networks.Start(net.Uuid);
        await manager.StartAsync(domain.Uuid, paused: true, CancellationToken.None);
        Assert.That(manager.GetXmlDesc(domain.Uuid, DomainXmlFlags.None), Does.Contain("<source bridge='virbr0' network='default'/>"));
        Assert.That(manager.GetXmlDesc(domain.Uuid, DomainXmlFlags.Inactive), Does.Contain("<source network='default'/>"));
        await manager.DestroyAsync(domain.Uuid, CancellationToken.None);
    }
}
