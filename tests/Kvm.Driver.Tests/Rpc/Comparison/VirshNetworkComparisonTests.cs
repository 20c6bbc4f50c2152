using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Rpc.Comparison;

/// <summary>
/// Virtual networks: virsh against kvmd and against libvirt's own daemon (<see cref="LibvirtDaemonPeer"/>, an
/// unprivileged session instance whose network driver defines but cannot start networks): the same answers and
/// errors for define, list, info, XML, autostart and undefine, and for the calls on a network that is not there.
/// </summary>
[NonParallelizable]
[CancelAfter(300_000)]
public sealed class VirshNetworkComparisonTests
{
    private const string Virsh = "/usr/bin/virsh";
    private NetworkRpcFixture _kvmd = null!;
    private LibvirtDaemonPeer _libvirt = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        ExternalTool.Require(Virsh, "libvirt-clients");
        LibvirtDaemonPeer.Require();
        _kvmd = await NetworkRpcFixture.StartAsync();
        _libvirt = await LibvirtDaemonPeer.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_libvirt is not null)
        {
            await _libvirt.DisposeAsync();
        }
        if (_kvmd is not null)
        {
            await _kvmd.DisposeAsync();
        }
    }

    [Test]
    public void NetworkSession_KvmdAndLibvirt_SameStepsOutputsAndErrors()
    {
        string file = _kvmd.WriteFile("net.xml", NetworkRpcFixture.Xml);
        // The libvirt peer runs as nobody: it reads the file given to virsh on the client side, so one file serves both.
        List<(int Exit, string Stdout, string Stderr)> kvmd = Session(_kvmd.Rpc.Uri, file);
        Assert.That(kvmd, Is.EqualTo(Session(_libvirt.Uri, file)));
        Assert.That(kvmd.Select(s => s.Exit), Is.EqualTo(new[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 }), "every step works but the second undefine");
        Assert.That(kvmd[4].Stdout, Does.Contain($"<uuid>{NetworkRpcFixture.Uuid}</uuid>"));
    }

    [TestCase("net-info", "nosuch")]
    [TestCase("net-dumpxml", "nosuch")]
    [TestCase("net-uuid", "nosuch")]
    [TestCase("net-name", "11111111-2222-3333-4444-555555555555")]
    [TestCase("net-list", "--all")]
    [TestCase("net-list", "--all", "--persistent", "--transient")]
    public void NetworkCommand_NoNetworks_KvmdAndLibvirtSame(params string[] args) =>
        Assert.That(Run(_kvmd.Rpc.Uri, args), Is.EqualTo(Run(_libvirt.Uri, args)));

    /// <summary>Every step's exit, output and errors: define, list, info, XML, autostart on and off, define again, undefine twice.</summary>
    private static List<(int Exit, string Stdout, string Stderr)> Session(string uri, string file) =>
    [
        Run(uri, "net-define", file),
        Run(uri, "net-list", "--all"),
        Run(uri, "net-list", "--inactive", "--persistent"),
        Run(uri, "net-info", NetworkRpcFixture.Name),
        Run(uri, "net-dumpxml", NetworkRpcFixture.Name),
        Run(uri, "net-dumpxml", "--inactive", NetworkRpcFixture.Uuid),
        Run(uri, "net-autostart", NetworkRpcFixture.Name),
        Run(uri, "net-list", "--all", "--autostart"),
        Run(uri, "net-autostart", "--disable", NetworkRpcFixture.Name),
        Run(uri, "net-define", file),
        Run(uri, "net-dhcp-leases", NetworkRpcFixture.Name),
        Run(uri, "net-undefine", NetworkRpcFixture.Name),
        Run(uri, "net-undefine", NetworkRpcFixture.Name),
        Run(uri, "net-list", "--all"),
    ];

    private static (int Exit, string Stdout, string Stderr) Run(string uri, params string[] args) => ExternalTool.Run(null, Virsh, ["-c", uri, .. args]);
}
