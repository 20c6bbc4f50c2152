using System.Text.RegularExpressions;
using Kvm.Driver.Api;
using Kvm.Driver.NetInterfaces;
using Kvm.Driver.NodeDevices;
using Kvm.Driver.Secrets;
using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Rpc.Comparison;

/// <summary>
/// Node devices, host interfaces and secrets: virsh against kvmd and against libvirt's own daemon
/// (<see cref="LibvirtDaemonPeer"/>, unprivileged, on the same host). The same device names, parents and XML, with
/// three differences removed from both sides and named here: the network devices' &lt;feature&gt; lines (libvirt reads them
/// with ethtool ioctls, kvmd does not yet); the PCI Express element (libvirt run as nobody reads only the first 64 bytes
/// of a device's configuration space, so it never sees it, while kvmd runs as root); the root device's DMI data
/// (its serial and UUID are readable by root only). Secrets: the same answers and errors for the same commands.
/// </summary>
[CancelAfter(300_000)]
public sealed partial class VirshHostObjectsComparisonTests
{
    private const string Virsh = "/usr/bin/virsh";
    private RpcFixture _kvmd = null!;
    private LibvirtDaemonPeer _libvirt = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        ExternalTool.Require(Virsh, "libvirt-clients");
        LibvirtDaemonPeer.Require();
        _kvmd = await RpcFixture.StartAsync(hostObjects: m => new HostObjects(new SecretManager(m.Options.StateDirectory),
            new NodeDeviceService(new SysfsNodeDevices()), new UdevInterfaces()));
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

    [TestCase("nodedev-list")]
    [TestCase("nodedev-list", "--tree")]
    [TestCase("nodedev-list", "--cap", "pci")]
    [TestCase("nodedev-list", "--cap", "net,storage")]
    [TestCase("nodedev-list", "--cap", "system")]
    [TestCase("nodedev-dumpxml", "nosuch")]
    public void NodedevCommand_KvmdAndLibvirt_Same(params string[] args) =>
        Assert.That(Run(_kvmd.Uri, args), Is.EqualTo(Run(_libvirt.Uri, args)));

    [Test]
    public void NodedevDumpxml_EveryDevice_SameXmlBut3NamedDifferences()
    {
        string[] names = Run(_libvirt.Uri, "nodedev-list").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(names, Is.Not.Empty);
        foreach (string name in names.Where(n => n != SysfsNodeDevices.ComputerName))
        {
            Assert.That(Normalize(Run(_kvmd.Uri, "nodedev-dumpxml", name).Stdout), Is.EqualTo(Normalize(Run(_libvirt.Uri, "nodedev-dumpxml", name).Stdout)), name);
        }
        Assert.That(Run(_kvmd.Uri, "nodedev-dumpxml", "computer").Stdout, Does.StartWith("<device>\n  <name>computer</name>\n  <capability type='system'>\n"));
    }

    [TestCase("iface-list")]
    [TestCase("iface-list", "--all")]
    [TestCase("iface-list", "--inactive")]
    [TestCase("iface-dumpxml", "lo")]
    [TestCase("iface-dumpxml", "nosuch")]
    [TestCase("iface-mac", "lo")]
    [TestCase("iface-name", "00:00:00:00:00:00")]
    [TestCase("iface-destroy", "lo")]
    [TestCase("iface-start", "lo")]
    public void InterfaceCommand_KvmdAndLibvirt_Same(params string[] args) =>
        Assert.That(Run(_kvmd.Uri, args), Is.EqualTo(Run(_libvirt.Uri, args)));

    [Test]
    public void IfaceDumpxml_EveryInterface_SameXml()
    {
        foreach (HostInterface i in new UdevInterfaces().List(0))
        {
            Assert.That(Run(_kvmd.Uri, "iface-dumpxml", i.Name), Is.EqualTo(Run(_libvirt.Uri, "iface-dumpxml", i.Name)), i.Name);
        }
    }

    [TestCase("<secret ephemeral='no' private='yes'><uuid>3beddc70-3379-4903-994b-c0b63ab94628</uuid><usage type='volume'><volume>/a/b</volume></usage></secret>")]
    [TestCase("<secret><uuid>87a5175c-9fe4-40e6-b8dd-6838423fc8eb</uuid><usage type='iscsi'><target>t</target></usage><description>a &amp; b</description></secret>")]
    [TestCase("<secret ephemeral='yes'><uuid>11111111-2222-3333-4444-555555555555</uuid><usage type='tls'><name>x</name></usage></secret>")]
    [TestCase("<secret><uuid>33333333-2222-3333-4444-555555555555</uuid></secret>")]
    [TestCase("<secret><usage type='volume'/></secret>")]
    [TestCase("<secret><usage/></secret>")]
    [TestCase("<secret><usage type='foo'/></secret>")]
    [TestCase("<secret ephemeral='maybe'/>")]
    [TestCase("<secret><uuid>zz</uuid></secret>")]
    [TestCase("<secrets/>")]
    public void Secret_DefineDumpGetValueUndefine_KvmdAndLibvirtSame(string xml)
    {
        string file = Path.Combine(_kvmd.Manager.Root, "secret.xml");
        string value = Path.Combine(_kvmd.Manager.Root, "secret.b64");
        File.WriteAllText(file, xml);
        File.WriteAllText(value, "aGVsbG8=\n");
        Assert.That(SecretSession(_kvmd.Uri, file, value), Is.EqualTo(SecretSession(_libvirt.Uri, file, value)));
    }

    /// <summary>Defines, lists, reads back, sets and gets the value, defines again, undefines: every step's exit, output and errors.</summary>
    private static List<(int, string, string)> SecretSession(string uri, string file, string value)
    {
        var steps = new List<(int, string, string)> { Run(uri, "secret-define", file) };
        string? uuid = Regex.Match(steps[0].Item2, "Secret ([0-9a-f-]{36}) created") is { Success: true } m ? m.Groups[1].Value : null;
        if (uuid is null)
        {
            return steps;
        }
        steps.Add(Run(uri, "secret-dumpxml", uuid));
        steps.Add(Run(uri, "secret-get-value", uuid));
        steps.Add(Run(uri, "secret-set-value", uuid, "--file", value));
        steps.Add(Run(uri, "secret-get-value", uuid));
        steps.Add(Run(uri, "secret-define", file));
        steps.Add(Run(uri, "secret-list"));
        steps.Add(Run(uri, "secret-undefine", uuid));
        steps.Add(Run(uri, "secret-undefine", uuid));
        return steps;
    }

    private static string Normalize(string xml) => string.Join('\n', xml.Split('\n').Where(l => !NotCompared().IsMatch(l)));

    [GeneratedRegex(@"<feature name=|pci-express|<link validity=")]
    private static partial Regex NotCompared();

    private static (int Exit, string Stdout, string Stderr) Run(string uri, params string[] args) => ExternalTool.Run(null, Virsh, ["-c", uri, .. args]);
}
