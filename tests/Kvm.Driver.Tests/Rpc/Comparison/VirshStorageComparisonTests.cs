using System.Text.RegularExpressions;
using Kvm.Driver.Tests.Api;
using Kvm.Driver.Tests.Rpc.Storage;

namespace Kvm.Driver.Tests.Rpc.Comparison;

/// <summary>
/// Storage pools and volumes: the same virsh session against kvmd and against libvirt's own daemon
/// (<see cref="LibvirtDaemonPeer"/>, an unprivileged session instance whose storage driver serves dir pools), one after
/// the other on the same target directory: define-as, build, start, list, info, XML, raw and qcow2 volumes, their list,
/// info, XML and path, clone, resize, the errors of repeated steps, delete, destroy, pool delete, undefine, and the calls on a pool or volume that is not there. What
/// differs by nature is masked, and only that: the pool's random UUID, the file system's figures at that moment, the
/// owner (kvmd runs as root, the peer as nobody), the files' timestamps and their allocation on disk.
/// </summary>
[NonParallelizable]
[CancelAfter(300_000)]
public sealed partial class VirshStorageComparisonTests
{
    private const string Virsh = "/usr/bin/virsh";
    private StorageRpcFixture _kvmd = null!;
    private LibvirtDaemonPeer _libvirt = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        ExternalTool.Require(Virsh, "libvirt-clients");
        ExternalTool.Require("/usr/bin/qemu-img", "qemu-utils");
        LibvirtDaemonPeer.Require();
        _kvmd = await StorageRpcFixture.StartAsync();
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
    public void StorageSession_KvmdAndLibvirt_SameStepsOutputsAndErrors()
    {
        // The peer runs as nobody: the target's parent is its, so both daemons can build and delete the same target.
        string parent = Path.Combine(_kvmd.Root, "shared");
        Directory.CreateDirectory(parent);
        (int chown, _, string error) = ExternalTool.Run(null, "/bin/chown", ["nobody:nogroup", parent]);
        Assert.That(chown, Is.Zero, error);
        string target = Path.Combine(parent, "images");

        List<(int Exit, string Stdout, string Stderr)> kvmd = Session(_kvmd.Rpc.Uri, target);
        List<(int Exit, string Stdout, string Stderr)> libvirt = Session(_libvirt.Uri, target);
        for (int i = 0; i < kvmd.Count; i++)
        {
            Assert.That(kvmd[i], Is.EqualTo(libvirt[i]), $"step {i}");
        }
        Assert.That(kvmd.Select(s => s.Exit), Is.EqualTo(new[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1 }),
            "every step works but a volume made twice, a pool started twice, a shrink not asked for, and the calls on what is gone");
        Assert.That(_kvmd.Rpc.Server.FailedCalls, Is.Zero);
    }

    [TestCase("pool-info", "nosuch")]
    [TestCase("pool-dumpxml", "nosuch")]
    [TestCase("pool-uuid", "nosuch")]
    [TestCase("pool-name", "11111111-2222-3333-4444-555555555555")]
    [TestCase("pool-list", "--all")]
    [TestCase("pool-list", "--all", "--persistent", "--transient")]
    [TestCase("vol-info", "/nonexistent/disk.qcow2")]
    [TestCase("vol-list", "nosuch")]
    public void StorageCommand_NoPools_KvmdAndLibvirtSame(params string[] args) =>
        Assert.That(Run(_kvmd.Rpc.Uri, args), Is.EqualTo(Run(_libvirt.Uri, args)));

    /// <summary>Every step's exit, output and errors, masked where the two daemons differ by nature.</summary>
    private static List<(int Exit, string Stdout, string Stderr)> Session(string uri, string target)
    {
        List<(int Exit, string Stdout, string Stderr)> steps =
        [
            Run(uri, "pool-define-as", "cmp", "dir", "--target", target),
            Run(uri, "pool-list", "--all"),
            Run(uri, "pool-build", "cmp"),
            Run(uri, "pool-start", "cmp"),
            Run(uri, "pool-list", "--all", "--persistent"),
            Run(uri, "pool-info", "cmp"),
            Run(uri, "pool-dumpxml", "cmp"),
            Run(uri, "pool-dumpxml", "--inactive", "cmp"),
            Run(uri, "vol-create-as", "cmp", "a.qcow2", "64M", "--format", "qcow2"),
            Run(uri, "vol-create-as", "cmp", "b.raw", "32M", "--format", "raw"),
            Run(uri, "vol-list", "cmp"),
            Run(uri, "vol-info", "--pool", "cmp", "a.qcow2"),
            Run(uri, "vol-info", Path.Combine(target, "b.raw")),
            Run(uri, "vol-dumpxml", "--pool", "cmp", "b.raw"),
            Run(uri, "vol-path", "--pool", "cmp", "a.qcow2"),
            Run(uri, "vol-clone", "--pool", "cmp", "a.qcow2", "c.qcow2"),
            Run(uri, "vol-info", "--pool", "cmp", "c.qcow2"),
            Run(uri, "vol-create-as", "cmp", "b.raw", "32M", "--format", "raw"),
            Run(uri, "pool-start", "cmp"),
            Run(uri, "vol-resize", "--pool", "cmp", "a.qcow2", "1M"),
            Run(uri, "vol-resize", "--pool", "cmp", "b.raw", "48M"),
            Run(uri, "vol-info", "--pool", "cmp", "b.raw"),
            Run(uri, "vol-delete", "--pool", "cmp", "c.qcow2"),
            Run(uri, "vol-delete", "--pool", "cmp", "b.raw"),
            Run(uri, "vol-delete", "--pool", "cmp", "a.qcow2"),
            Run(uri, "pool-destroy", "cmp"),
            Run(uri, "pool-delete", "cmp"),
            Run(uri, "pool-undefine", "cmp"),
            Run(uri, "pool-list", "--all"),
            Run(uri, "pool-info", "cmp"),
            Run(uri, "vol-info", Path.Combine(target, "b.raw")),
        ];
        string uuid = Regex.Match(steps[5].Stdout, @"UUID:\s+(\S+)").Groups[1].Value;
        return steps.Select(s => (s.Exit, Mask(s.Stdout, uuid), Mask(s.Stderr, uuid))).ToList();
    }

    private static string Mask(string text, string uuid)
    {
        if (uuid.Length > 0)
        {
            text = text.Replace(uuid, "UUID", StringComparison.Ordinal);
        }
        // pool-info's figures are the file system's; vol-info's capacity must agree, its allocation is the file system's.
        text = text.Contains("\nState:", StringComparison.Ordinal) ? InfoFigures().Replace(text, "$1 N") : VolInfoAllocation().Replace(text, "$1 N");
        if (text.StartsWith("<pool", StringComparison.Ordinal))
        {
            text = PoolFigures().Replace(text, "<$1 unit='bytes'>N</$1>");
        }
        text = VolAllocation().Replace(text, "<$1 unit='bytes'>N</$1>");
        text = Timestamps().Replace(text, "<timestamps/>");
        return Ids().Replace(text, "<$1>ID</$1>");
    }

    [GeneratedRegex(@"^((?:Capacity|Allocation|Available):)\s+.*$", RegexOptions.Multiline)]
    private static partial Regex InfoFigures();

    [GeneratedRegex(@"^(Allocation:)\s+.*$", RegexOptions.Multiline)]
    private static partial Regex VolInfoAllocation();

    [GeneratedRegex(@"<(capacity|allocation|available) unit='bytes'>\d+</\1>")]
    private static partial Regex PoolFigures();

    [GeneratedRegex(@"<(allocation|physical) unit='bytes'>\d+</\1>")]
    private static partial Regex VolAllocation();

    [GeneratedRegex(@"<timestamps>.*?</timestamps>", RegexOptions.Singleline)]
    private static partial Regex Timestamps();

    [GeneratedRegex(@"<(owner|group)>\d+</\1>")]
    private static partial Regex Ids();

    private static (int Exit, string Stdout, string Stderr) Run(string uri, params string[] args) => ExternalTool.Run(null, Virsh, ["-c", uri, .. args]);
}
