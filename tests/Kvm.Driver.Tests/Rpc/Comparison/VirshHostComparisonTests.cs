using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Rpc.Comparison;

/// <summary>
/// virsh's host commands against kvmd and against libvirt's own daemon (<see cref="LibvirtDaemonPeer"/>) on the same
/// host: the same output where the figures cannot move between the two calls (CPU map, CPU models, total memory,
/// errors), the same fields where they can (free memory, CPU times).
/// </summary>
[CancelAfter(300_000)]
public sealed class VirshHostComparisonTests
{
    private const string Virsh = "/usr/bin/virsh";
    private RpcFixture _kvmd = null!;
    private LibvirtDaemonPeer _libvirt = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        ExternalTool.Require(Virsh, "libvirt-clients");
        LibvirtDaemonPeer.Require();
        _kvmd = await RpcFixture.StartAsync();
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

    [TestCase("nodecpumap")]
    [TestCase("nodecpumap", "--pretty")]
    [TestCase("cpu-models", "x86_64")]
    [TestCase("cpu-models", "i686")]
    [TestCase("cpu-models", "ppc64le")]
    [TestCase("cpu-models", "aarch64")]
    [TestCase("cpu-models", "riscv64")]
    [TestCase("cpu-models", "x86")]
    [TestCase("nodememstats", "--cell", "4096")]
    [TestCase("nodememstats", "--cell", "-2")]
    [TestCase("nodecpustats", "--cpu", "65535")]
    public void HostCommand_KvmdAndLibvirt_SameExitOutputAndErrors(params string[] args)
    {
        Assert.That(Run(_kvmd.Uri, args), Is.EqualTo(Run(_libvirt.Uri, args)));
    }

    [TestCase]
    [TestCase("--cell", "0")]
    public void Nodememstats_KvmdAndLibvirt_SameFieldsSameTotal(params string[] args)
    {
        (int exit, string stdout, string stderr) ours = Run(_kvmd.Uri, ["nodememstats", .. args]);
        (int exit, string stdout, string stderr) theirs = Run(_libvirt.Uri, ["nodememstats", .. args]);
        Assert.That(ours.exit, Is.Zero, ours.stderr);
        Assert.That(Fields(ours.stdout), Is.EqualTo(Fields(theirs.stdout)));
        Assert.That(ours.stdout.Split('\n')[0], Is.EqualTo(theirs.stdout.Split('\n')[0]), "the total");
    }

    [TestCase]
    [TestCase("--cpu", "0")]
    [TestCase("--percent")]
    public void Nodecpustats_KvmdAndLibvirt_SameFields(params string[] args)
    {
        (int exit, string stdout, string stderr) ours = Run(_kvmd.Uri, ["nodecpustats", .. args]);
        (int exit, string stdout, string stderr) theirs = Run(_libvirt.Uri, ["nodecpustats", .. args]);
        Assert.That(ours.exit, Is.Zero, ours.stderr);
        Assert.That(Fields(ours.stdout), Is.EqualTo(Fields(theirs.stdout)));
        Assert.That(Fields(ours.stdout), Is.Not.Empty);
    }

    /// <summary>The name before each line's colon.</summary>
    private static string[] Fields(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(':')[0].Trim())];

    private static (int Exit, string Stdout, string Stderr) Run(string uri, string[] args) => ExternalTool.Run(null, Virsh, ["-c", uri, .. args]);
}
