using Kvm.Driver.Domains;
using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Rpc.Storage;

/// <summary>
/// Debian's virt-install (virtinst, unchanged) against kvmd's RPC socket, importing a qcow2 volume of a kvmd pool: the
/// XML it would define, and a real define, after which the driver core holds the domain with that disk. Ignored where
/// virt-install or qemu-img is missing.
/// </summary>
[NonParallelizable]
[CancelAfter(180_000)]
public sealed class VirtInstallTests
{
    private const string VirtInstall = "/usr/bin/virt-install";
    private const string Virsh = "/usr/bin/virsh";
    private StorageRpcFixture _f = null!;
    private string _disk = null!;

    [SetUp]
    public async Task SetUp()
    {
        ExternalTool.Require(VirtInstall, "virtinst");
        ExternalTool.Require(Virsh, "libvirt-clients");
        ExternalTool.Require("/usr/bin/qemu-img", "qemu-utils");
        _f = await StorageRpcFixture.StartAsync();
        string target = Path.Combine(_f.Root, "images");
        foreach (string[] step in new[]
        {
            new[] { "pool-define-as", "vipool", "dir", "--target", target }, ["pool-build", "vipool"], ["pool-start", "vipool"],
            ["vol-create-as", "vipool", "guest.qcow2", "64M", "--format", "qcow2"],
        })
        {
            (int exit, _, string stderr) = ExternalTool.Run(null, Virsh, ["-c", _f.Rpc.Uri, .. step]);
            Assert.That(exit, Is.Zero, stderr);
        }
        _disk = Path.Combine(target, "guest.qcow2");
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
    public void PrintXml_ImportedPoolVolume_DomainXmlWithTheVolumeAsDisk()
    {
        (int exit, string stdout, string stderr) = Run("--print-xml");
        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("<name>vi-guest</name>").And.Contain($"<source file=\"{_disk}\"/>"));
        Assert.That(_f.Rpc.Manager.Manager.List(), Is.Empty, "--print-xml defines nothing");
        Assert.That(_f.Rpc.Server.FailedCalls, Is.Zero);
    }

    [Test]
    public void Import_ImportedPoolVolume_DomainDefinedWithThatDisk()
    {
        (int exit, string stdout, string stderr) = Run("--noreboot");
        Assert.That(exit, Is.Zero, stdout + stderr);
        DomainInfo domain = _f.Rpc.Manager.Manager.List().Single();
        Assert.That(domain.Name, Is.EqualTo("vi-guest"));
        (exit, string xml, stderr) = ExternalTool.Run(null, Virsh, ["-c", _f.Rpc.Uri, "dumpxml", "--inactive", "vi-guest"]);
        Assert.That(exit, Is.Zero, stderr);
        Assert.That(xml, Does.Contain($"<source file='{_disk}'/>").And.Contain("<driver name='qemu' type='qcow2'/>"));
        Assert.That(_f.Rpc.Server.FailedCalls, Is.Zero);
    }

    private (int Exit, string Stdout, string Stderr) Run(params string[] extra) =>
        ExternalTool.Run(null, TimeSpan.FromSeconds(120), VirtInstall,
        [
            "--connect", _f.Rpc.Uri, "--name", "vi-guest", "--memory", "256", "--vcpus", "1", "--import",
            "--disk", $"path={_disk}", "--osinfo", "detect=on,require=off", "--network", "none", "--graphics", "none",
            "--noautoconsole", .. extra,
        ]);
}
