using System.Text.RegularExpressions;
using Kvm.Driver.Api;
using Kvm.Driver.Snapshots;
using Kvm.Driver.Tests.Api;
using Kvm.Driver.Tests.Rpc.Comparison;
using Kvm.Driver.Tests.Snapshots;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>
/// Debian's real virsh against the RPC front end's snapshot procedures over the real driver core (a shut-off domain on a
/// real qcow2 image), and the same commands against libvirt's own daemon (<see cref="LibvirtDaemonPeer"/>) with the
/// same domain: the same output, exit codes and errors, creation times masked. Ignored where virsh or qemu-img is missing.
/// </summary>
[CancelAfter(300_000)]
public sealed partial class VirshSnapshotTests
{
    private const string Virsh = "/usr/bin/virsh";
    private RpcFixture _f = null!;
    private string _image = null!;

    [SetUp]
    public async Task SetUp()
    {
        ExternalTool.Require(Virsh, "libvirt-clients");
        SnapshotImages.RequireTools();
        _f = await RpcFixture.StartAsync(hostObjects: m => new HostObjects(Snapshots: new SnapshotManager(m.Manager, m.Options.StateDirectory)));
        _image = SnapshotImages.Create(_f.Manager.Root, "d.qcow2", "qcow2");
        _f.Manager.Manager.Define(SnapshotImages.DomainXml("d", _image, "qcow2"));
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
    public void Snapshots_Virsh_CreateListRevertDelete()
    {
        SnapshotImages.Write(_image, "qcow2", 0x11);
        Assert.That(Run("snapshot-create-as", "d", "s1", "--description", "first").Trim(), Is.EqualTo("Domain snapshot s1 created"));
        SnapshotImages.Write(_image, "qcow2", 0x22);
        Assert.That(Run("snapshot-create-as", "d", "s2").Trim(), Is.EqualTo("Domain snapshot s2 created"));
        Assert.That(Run("snapshot-list", "d", "--name").Trim(), Is.EqualTo("s1\ns2"));
        Assert.That(Run("snapshot-list", "d", "--tree").Trim(), Is.EqualTo("s1\n  |\n  +- s2"));
        Assert.That(Run("snapshot-current", "d", "--name").Trim(), Is.EqualTo("s2"));
        Assert.That(Run("snapshot-parent", "d", "s2").Trim(), Is.EqualTo("s1"));
        Assert.That(Run("snapshot-dumpxml", "d", "s1"), Does.StartWith("<domainsnapshot>\n  <name>s1</name>\n  <description>first</description>\n"));

        Run("snapshot-revert", "d", "s1");
        Assert.That(SnapshotImages.Holds(_image, "qcow2", 0x11), Is.True, "virsh snapshot-revert took the image back");
        Assert.That(Run("snapshot-current", "d", "--name").Trim(), Is.EqualTo("s1"));

        Assert.That(Run("snapshot-delete", "d", "s1", "--children").Trim(), Is.EqualTo("Domain snapshot s1 deleted"));
        Assert.That(Run("snapshot-list", "d", "--name").Trim(), Is.Empty);
        Assert.That(SnapshotImages.InternalSnapshots(_image), Is.Empty);
    }

    [Test]
    public async Task Snapshots_VirshAgainstKvmdAndLibvirt_SameAnswers()
    {
        string peerImage = "";
        LibvirtDaemonPeer.Require();
        var differences = new List<string>();
        var libvirtSaid = new Dictionary<string, string>();
        {
            await using LibvirtDaemonPeer libvirt = await LibvirtDaemonPeer.StartAsync();
            // libvirt's daemon runs as nobody: the same domain on its own image, in a directory nobody may write.
            string dir = Directory.CreateTempSubdirectory("snap-peer-").FullName;
            try
            {
                File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
                peerImage = SnapshotImages.Create(dir, "d.qcow2", "qcow2");
                File.SetUnixFileMode(peerImage, (UnixFileMode)0b110_110_110);
                string xml = Path.Combine(dir, "d.xml");
                File.WriteAllText(xml, SnapshotImages.DomainXml("d", peerImage, "qcow2").Replace("<domain type='kvm'>", "<domain type='qemu'>", StringComparison.Ordinal));
                Assert.That(ExternalTool.Run(null, Virsh, "-c", libvirt.Uri, "define", xml).Exit, Is.Zero);

                string[][] steps =
                [
                    ["snapshot-create-as", "d", "s1", "--description", "first"], ["snapshot-create-as", "d", "s2"],
                    ["snapshot-create-as", "d", "s2"], ["snapshot-list", "d"], ["snapshot-list", "d", "--tree"], ["snapshot-list", "d", "--parent"],
                    ["snapshot-list", "d", "--roots"], ["snapshot-list", "d", "--leaves"], ["snapshot-current", "d", "--name"],
                    ["snapshot-parent", "d", "s2"], ["snapshot-parent", "d", "s1"], ["snapshot-info", "d", "s1"], ["snapshot-info", "d", "--current"],
                    ["snapshot-revert", "d", "s1"], ["snapshot-current", "d", "--name"], ["snapshot-info", "d", "s2"],
                    ["snapshot-delete", "d", "nosuch"], ["snapshot-revert", "d", "nosuch"], ["snapshot-create-as", "d", "a/b"],
                    ["snapshot-create-as", "d", "x", "--diskspec", "vdz"], ["undefine", "d"],
                    ["snapshot-delete", "d", "s1", "--children-only"], ["snapshot-list", "d", "--name"], ["snapshot-delete", "d", "s1"],
                    ["snapshot-list", "d"], ["snapshot-current", "d"],
                ];
                foreach (string[] step in steps)
                {
                    var ours = Normalise(Run(_f.Uri, step), _f.Uri, _image);
                    var theirs = Normalise(Run(libvirt.Uri, step), libvirt.Uri, peerImage);
                    libvirtSaid[string.Join(' ', step)] = theirs.Item2;
                    if (ours != theirs)
                    {
                        differences.Add($"virsh {string.Join(' ', step)}\n  kvmd:    {ours}\n  libvirt: {theirs}");
                    }
                }
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        Assert.That(differences, Is.Empty, string.Join("\n", differences));
        // The comparison means something: libvirt itself made, listed and kept the snapshots.
        Assert.That(libvirtSaid["snapshot-list d --tree"].Trim(), Is.EqualTo("s1\n  |\n  +- s2"));
        Assert.That(libvirtSaid["snapshot-list d --name"].Trim(), Is.EqualTo("s1"));
    }

    /// <summary>
    /// python3-libvirt on every snapshot procedure (the older name lists and counts too), against kvmd and against
    /// libvirt's own daemon with the same domain: the same answers and errors line by line.
    /// </summary>
    [Test]
    public async Task Snapshots_PythonLibvirtAgainstKvmdAndLibvirt_SameAnswers()
    {
        ExternalTool.RequirePythonLibvirt();
        LibvirtDaemonPeer.Require();
        string script = Path.Combine(AppContext.BaseDirectory, "Rpc", "rpc_snapshots.py");
        (int exit, string ours, string stderr) = ExternalTool.Run(null, ExternalTool.Python, script, _f.Uri, "d");
        Assert.That(exit, Is.Zero, stderr);
        Assert.That(ours, Does.Contain("children 1 ['s2'] ['s2']\n"));

        await using LibvirtDaemonPeer libvirt = await LibvirtDaemonPeer.StartAsync();
        string dir = Directory.CreateTempSubdirectory("snap-peer-").FullName;
        try
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
            string peerImage = SnapshotImages.Create(dir, "d.qcow2", "qcow2");
            File.SetUnixFileMode(peerImage, (UnixFileMode)0b110_110_110);
            string xml = Path.Combine(dir, "d.xml");
            File.WriteAllText(xml, SnapshotImages.DomainXml("d", peerImage, "qcow2").Replace("<domain type='kvm'>", "<domain type='qemu'>", StringComparison.Ordinal));
            Assert.That(ExternalTool.Run(null, Virsh, "-c", libvirt.Uri, "define", xml).Exit, Is.Zero);
            (int theirExit, string theirs, string theirError) = ExternalTool.Run(null, ExternalTool.Python, script, libvirt.Uri, "d");
            Assert.That(theirExit, Is.Zero, theirError);
            Assert.That(ours, Is.EqualTo(theirs));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private string Run(params string[] args)
    {
        (int exit, string stdout, string stderr) = Run(_f.Uri, args);
        Assert.That(exit, Is.EqualTo(0), $"virsh {string.Join(' ', args)}: {stderr}");
        return stdout;
    }

    private static (int Exit, string Stdout, string Stderr) Run(string uri, string[] args) => ExternalTool.Run(null, Virsh, ["-c", uri, .. args]);

    /// <summary>What differs by construction: each daemon's URI, its image path, and the creation times.</summary>
    private static (int, string, string) Normalise((int Exit, string Stdout, string Stderr) r, string uri, string image)
    {
        string Clean(string text) => Times().Replace(text.Replace(uri, "URI", StringComparison.Ordinal).Replace(image, "IMAGE", StringComparison.Ordinal), "TIME");
        return (r.Exit, Clean(r.Stdout), Clean(r.Stderr));
    }

    [GeneratedRegex(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}")]
    private static partial Regex Times();
}
