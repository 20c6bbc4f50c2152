using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>
/// python3-libvirt (Debian's, unchanged) against the RPC front end's network procedures and network lifecycle events,
/// over the real driver core (the network started inside the fixture's namespace). Ignored where python3-libvirt,
/// root, ip, nft or dnsmasq is missing.
/// </summary>
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class RpcPythonNetworkTests
{
    private NetworkRpcFixture _f = null!;

    [SetUp]
    public async Task SetUp()
    {
        ExternalTool.RequirePythonLibvirt();
        _f = await NetworkRpcFixture.StartAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_f is not null)
        {
            await _f.DisposeAsync();
        }
    }

    [Test]
    public void Script_DefineStartDestroyUndefine_EveryStepAndItsEvents()
    {
        string xml = _f.WriteFile("net.xml", NetworkRpcFixture.Xml);
        string script = Path.Combine(AppContext.BaseDirectory, "Rpc", "rpc_networks.py");
        (int exit, string stdout, string stderr) = ExternalTool.Run(null, TimeSpan.FromSeconds(60), ExternalTool.Python, script, _f.Rpc.Uri, xml);
        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout.Split('\n'), Is.EqualTo(new[]
        {
            $"defined rpcnet {NetworkRpcFixture.Uuid} 0 1",
            "list ['rpcnet']",
            "lookup-uuid rpcnet",
            "active 1 ['rpcnet'] 1 0",
            "bridge virbr7",
            "leases []",
            // VIR_ERR_NO_NETWORK (43) from VIR_FROM_NETWORK (19)
            "gone 43 19 Network not found: no network with matching name 'rpcnet'",
            $"stale 43 Network not found: no network with matching uuid '{NetworkRpcFixture.Uuid}' (rpcnet)",
            "events rpcnet 0/0, rpcnet 2/0, rpcnet 3/0, rpcnet 1/0",
            "events-one rpcnet 2/0, rpcnet 3/0, rpcnet 1/0",
            "",
        }));
        Assert.That(_f.Rpc.Server.RegisteredCallbacks, Is.Zero);
        Assert.That(_f.Rpc.Server.FailedCalls, Is.Zero);
    }
}
