using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>
/// Debian's real virsh against the RPC front end's network procedures, over the real driver core's networks (started
/// ones inside the fixture's network namespace): define, list, info, XML, autostart, start, leases, destroy, undefine,
/// libvirt's errors, and the read-only socket's refusal. Ignored where virsh, root, ip, nft or dnsmasq is missing.
/// </summary>
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class VirshNetworkTests
{
    private const string Virsh = "/usr/bin/virsh";
    private NetworkRpcFixture _f = null!;

    [SetUp]
    public async Task SetUp()
    {
        ExternalTool.Require(Virsh, "libvirt-clients");
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
    public void NetCommands_DefineListInfoDumpxmlAutostartUndefine_EveryStepAsLibvirt()
    {
        string file = _f.WriteFile("net.xml", NetworkRpcFixture.Xml);
        Assert.That(Run("net-define", file).Trim(), Is.EqualTo($"Network rpcnet defined from {file}"));
        Assert.That(Run("net-list", "--all"), Does.Match(@"\n rpcnet\s+inactive\s+no\s+yes\s*\n"));
        Assert.That(Run("net-list").Trim(), Does.Not.Contain("rpcnet"), "net-list without --all shows active networks only");
        Assert.That(Info("rpcnet"), Is.EqualTo(new[]
        {
            "Name: rpcnet", $"UUID: {NetworkRpcFixture.Uuid}", "Active: no", "Persistent: yes", "Autostart: no", "Bridge: virbr7",
        }));
        Guid uuid = Guid.Parse(NetworkRpcFixture.Uuid);
        Assert.That(Run("net-dumpxml", "rpcnet").TrimEnd(), Is.EqualTo(_f.Networks.GetXmlDesc(uuid, 0).TrimEnd()));
        Assert.That(Run("net-uuid", "rpcnet").Trim(), Is.EqualTo(NetworkRpcFixture.Uuid));
        Assert.That(Run("net-name", NetworkRpcFixture.Uuid).Trim(), Is.EqualTo("rpcnet"));

        Assert.That(Run("net-autostart", "rpcnet").Trim(), Is.EqualTo("Network rpcnet marked as autostarted"));
        Assert.That(_f.Networks.LookupByName("rpcnet").Autostart, Is.True);
        Assert.That(Run("net-list", "--all", "--autostart"), Does.Match(@"\n rpcnet\s+inactive\s+yes\s+yes\s*\n"));
        Assert.That(Run("net-autostart", "rpcnet", "--disable").Trim(), Is.EqualTo("Network rpcnet unmarked as autostarted"));
        Assert.That(Run("net-list", "--all", "--autostart"), Does.Not.Contain("rpcnet"));

        Assert.That(Run("net-undefine", "rpcnet").Trim(), Is.EqualTo("Network rpcnet has been undefined"));
        Assert.That(_f.Networks.List(), Is.Empty);
        (int exit, _, string stderr) = RunRaw("net-info", "rpcnet");
        Assert.That((exit, stderr.Trim()), Is.EqualTo((1, "error: failed to get network 'rpcnet'\nerror: Network not found: no network with matching name 'rpcnet'")));
    }

    [Test]
    public void NetStart_InTheNamespace_BridgeUpListedActiveThenDestroyed()
    {
        Run("net-define", _f.WriteFile("net.xml", NetworkRpcFixture.Xml));
        Assert.That(Run("net-start", "rpcnet").Trim(), Is.EqualTo("Network rpcnet started"));
        Assert.That(_f.Namespace.Run("ip", "-4", "addr", "show", "dev", "virbr7"), Does.Contain("inet 192.168.151.1/24"));
        Assert.That(Run("net-list"), Does.Match(@"\n rpcnet\s+active\s+no\s+yes\s*\n"));
        Assert.That(Info("rpcnet"), Does.Contain("Active: yes"));
        Assert.That(Run("net-dhcp-leases", "rpcnet"), Does.Contain("Expiry Time"), "no leases yet: the table's header only");
        (int exit, _, string stderr) = RunRaw("net-start", "rpcnet");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("error: Requested operation is not valid: network is already active"));
        Assert.That(Run("net-destroy", "rpcnet").Trim(), Is.EqualTo("Network rpcnet destroyed"));
        Assert.That(_f.Namespace.TryRun("ip", "link", "show", "dev", "virbr7").Exit, Is.Not.Zero, "the bridge is gone");
        Assert.That(_f.Networks.LookupByName("rpcnet").Active, Is.False);
    }

    [Test]
    public void NetDefine_ReadOnlySocket_RefusedAndNothingDefined()
    {
        string file = _f.WriteFile("net.xml", NetworkRpcFixture.Xml);
        (int exit, _, string stderr) = ExternalTool.Run(null, Virsh, ["-c", _f.Rpc.ReadOnlyUri, "net-define", file]);
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("error: operation forbidden: read only access prevents virNetworkDefineXML"));
        Assert.That(_f.Networks.List(), Is.Empty);
        _f.Networks.Define(NetworkRpcFixture.Xml);
        (exit, string stdout, stderr) = ExternalTool.Run(null, Virsh, ["-c", _f.Rpc.ReadOnlyUri, "net-list", "--all"]);
        Assert.That((exit, stderr), Is.EqualTo((0, "")));
        Assert.That(stdout, Does.Match(@"\n rpcnet\s+inactive\s+no\s+yes\s*\n"), "the read-only socket lists");
    }

    [Test]
    public void NetDefine_BadXml_LibvirtsErrorAndNothingDefined()
    {
        string file = _f.WriteFile("bad.xml", "<network><name>bad</name><forward mode='sideways'/></network>");
        (int exit, _, string stderr) = RunRaw("net-define", file);
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.StartWith("error: Failed to define network from " + file + "\nerror: "));
        Assert.That(_f.Networks.List(), Is.Empty);
        Assert.That(_f.Rpc.Server.FailedCalls, Is.Zero);
    }

    [Test]
    public void NetPortList_PortsNotServed_LibvirtsNotSupportedError()
    {
        Run("net-define", _f.WriteFile("net.xml", NetworkRpcFixture.Xml));
        (int exit, _, string stderr) = RunRaw("net-port-list", "rpcnet");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("error: this function is not supported by the connection driver: virNetworkListAllPorts"));
        Assert.That(_f.Rpc.Server.FailedCalls, Is.Zero);
    }

    /// <summary>net-info's "Key: value" lines, the padding collapsed.</summary>
    private string[] Info(string name) =>
        Run("net-info", name).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();

    private string Run(params string[] args)
    {
        (int exit, string stdout, string stderr) = RunRaw(args);
        Assert.That(exit, Is.EqualTo(0), $"virsh {string.Join(' ', args)}: {stderr}");
        return stdout;
    }

    private (int Exit, string Stdout, string Stderr) RunRaw(params string[] args) => ExternalTool.Run(null, Virsh, ["-c", _f.Rpc.Uri, .. args]);
}
