using Kvm.Driver.Api;
using Kvm.Driver.NodeDevices;
using Kvm.Driver.Secrets;
using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>
/// Debian's real virsh against the RPC front end's node device and secret procedures, over the real driver core
/// (this host's sysfs, secrets on the fixture's state directory). Reported as ignored where virsh is not installed.
/// </summary>
public sealed class VirshHostObjectsTests
{
    private const string Virsh = "/usr/bin/virsh";
    private RpcFixture _f = null!;
    private NodeDeviceService _devices = null!;

    [SetUp]
    public async Task SetUp()
    {
        ExternalTool.Require(Virsh, "libvirt-clients");
        _devices = new NodeDeviceService(new SysfsNodeDevices());
        _f = await RpcFixture.StartAsync(hostObjects: m => new HostObjects(new SecretManager(m.Options.StateDirectory), _devices));
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
    public void NodedevList_Virsh_EveryDeviceByName()
    {
        string[] names = _devices.List(0).Select(d => d.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.That(Run("nodedev-list").Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(names));
        Assert.That(Run("nodedev-list", "--cap", "net").Split('\n', StringSplitOptions.RemoveEmptyEntries),
            Is.EqualTo(names.Where(n => n.StartsWith("net_", StringComparison.Ordinal))));
        Assert.That(Run("nodedev-list", "--tree"), Does.StartWith("computer\n"));
    }

    [Test]
    public void NodedevDumpxml_Virsh_TheDevicesXml()
    {
        foreach (NodeDevice device in _devices.List((uint)(NodeDeviceCapabilities.System | NodeDeviceCapabilities.Net)))
        {
            Assert.That(Run("nodedev-dumpxml", device.Name).TrimEnd(), Is.EqualTo(NodeDeviceXml.Format(device).TrimEnd()), device.Name);
        }
        (int exit, _, string stderr) = RunRaw("nodedev-dumpxml", "nosuch");
        Assert.That((exit, stderr.Trim()), Is.EqualTo((1, "error: Could not find matching device 'nosuch'\nerror: Node device not found: no node device with matching name 'nosuch'")));
    }

    [Test]
    public void Secret_Virsh_DefineSetGetListUndefine()
    {
        string xml = Path.Combine(_f.Manager.Root, "s.xml");
        File.WriteAllText(xml, "<secret ephemeral='no' private='no'><uuid>3beddc70-3379-4903-994b-c0b63ab94628</uuid><usage type='volume'><volume>/a/b</volume></usage></secret>");
        Assert.That(Run("secret-define", xml).Trim(), Is.EqualTo("Secret 3beddc70-3379-4903-994b-c0b63ab94628 created"));
        Assert.That(Run("secret-list"), Does.Contain(" 3beddc70-3379-4903-994b-c0b63ab94628   volume /a/b\n"));
        string value = Path.Combine(_f.Manager.Root, "v.b64");
        File.WriteAllText(value, "aGVsbG8=\n");
        Assert.That(Run("secret-set-value", "3beddc70-3379-4903-994b-c0b63ab94628", "--file", value).Trim(), Is.EqualTo("Secret value set"));
        Assert.That(Run("secret-get-value", "3beddc70-3379-4903-994b-c0b63ab94628").Trim(), Is.EqualTo("aGVsbG8="));
        Assert.That(Run("secret-dumpxml", "3beddc70-3379-4903-994b-c0b63ab94628"), Does.StartWith("<secret ephemeral='no' private='no'>\n"));
        Assert.That(Run("secret-undefine", "3beddc70-3379-4903-994b-c0b63ab94628").Trim(), Is.EqualTo("Secret 3beddc70-3379-4903-994b-c0b63ab94628 deleted"));
        Assert.That(File.Exists(Path.Combine(_f.Manager.Options.StateDirectory, "secrets", "3beddc70-3379-4903-994b-c0b63ab94628.base64")), Is.False);
    }

    [Test]
    public void SecretGetValue_Private_LibvirtsError()
    {
        string xml = Path.Combine(_f.Manager.Root, "s.xml");
        File.WriteAllText(xml, "<secret private='yes'><uuid>3beddc70-3379-4903-994b-c0b63ab94628</uuid></secret>");
        Run("secret-define", xml);
        (int exit, _, string stderr) = RunRaw("secret-get-value", "3beddc70-3379-4903-994b-c0b63ab94628");
        Assert.That((exit, stderr.Trim()), Is.EqualTo((1, "error: Invalid secret: secret is private")));
    }

    private string Run(params string[] args)
    {
        (int exit, string stdout, string stderr) = RunRaw(args);
        Assert.That(exit, Is.EqualTo(0), $"virsh {string.Join(' ', args)}: {stderr}");
        return stdout;
    }

    private (int Exit, string Stdout, string Stderr) RunRaw(params string[] args) => ExternalTool.Run(null, Virsh, ["-c", _f.Uri, .. args]);
}
