using Kvm.Driver.Pools;
using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Rpc.Storage;

/// <summary>
/// Debian's real virsh against the RPC front end's storage procedures over the real driver core's dir pools: a pool's
/// whole life (define, build, start, list, info, XML, volumes raw and qcow2 checked with qemu-img, resize, clone, wipe, delete,
/// destroy, undefine), libvirt's errors, and the read-only socket's refusal. Ignored where virsh or qemu-img is missing.
/// </summary>
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class VirshStorageTests
{
    private const string Virsh = "/usr/bin/virsh";
    private const string QemuImg = "/usr/bin/qemu-img";
    private StorageRpcFixture _f = null!;

    [SetUp]
    public async Task SetUp()
    {
        ExternalTool.Require(Virsh, "libvirt-clients");
        ExternalTool.Require(QemuImg, "qemu-utils");
        _f = await StorageRpcFixture.StartAsync();
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
    public void PoolCommands_DefineBuildStartInfoDumpxmlDestroyUndefine_EveryStepAsLibvirt()
    {
        string target = Path.Combine(_f.Root, "images");
        Assert.That(Run("pool-define-as", "rpcpool", "dir", "--target", target).Trim(), Is.EqualTo("Pool rpcpool defined"));
        Assert.That(Run("pool-list", "--all"), Does.Match(@"\n rpcpool\s+inactive\s+no\s*\n"));
        Assert.That(Run("pool-build", "rpcpool").Trim(), Is.EqualTo("Pool rpcpool built"));
        Assert.That(Directory.Exists(target), Is.True);
        Assert.That(Run("pool-start", "rpcpool").Trim(), Is.EqualTo("Pool rpcpool started"));
        Assert.That(Run("pool-list"), Does.Match(@"\n rpcpool\s+active\s+no\s*\n"));
        StoragePoolSnapshot pool = _f.Pools.LookupByName("rpcpool");
        string[] info = Info("pool-info", "rpcpool");
        Assert.That(info[..5], Is.EqualTo(new[] { "Name: rpcpool", $"UUID: {pool.Uuid:D}", "State: running", "Persistent: yes", "Autostart: no" }));
        Assert.That(info.Skip(5).Select(l => l.Split(':')[0]), Is.EqualTo(new[] { "Capacity", "Allocation", "Available" }));
        Assert.That(Run("pool-dumpxml", "rpcpool"), Does.Contain($"<path>{target}</path>").And.Contain("<pool type='dir'>"));
        Assert.That(Run("pool-uuid", "rpcpool").Trim(), Is.EqualTo(pool.Uuid.ToString("D")));
        Assert.That(Run("pool-name", pool.Uuid.ToString("D")).Trim(), Is.EqualTo("rpcpool"));
        Assert.That(Run("pool-refresh", "rpcpool").Trim(), Is.EqualTo("Pool rpcpool refreshed"));

        Assert.That(Run("pool-autostart", "rpcpool").Trim(), Is.EqualTo("Pool rpcpool marked as autostarted"));
        Assert.That(_f.Pools.LookupByName("rpcpool").Autostart, Is.True);
        Assert.That(Run("pool-autostart", "rpcpool", "--disable").Trim(), Is.EqualTo("Pool rpcpool unmarked as autostarted"));

        Assert.That(Run("pool-destroy", "rpcpool").Trim(), Is.EqualTo("Pool rpcpool destroyed"));
        Assert.That(Run("pool-delete", "rpcpool").Trim(), Is.EqualTo("Pool rpcpool deleted"));
        Assert.That(Directory.Exists(target), Is.False);
        Assert.That(Run("pool-undefine", "rpcpool").Trim(), Is.EqualTo("Pool rpcpool has been undefined"));
        Assert.That(_f.Pools.List(), Is.Empty);
        (int exit, _, string stderr) = RunRaw("pool-info", "rpcpool");
        Assert.That((exit, stderr.Trim()), Is.EqualTo((1, "error: failed to get pool 'rpcpool'\nerror: Storage pool not found: no storage pool with matching name 'rpcpool'")));
    }

    [Test]
    public void VolCommands_RawAndQcow2_ImagesQemuImgAccepts()
    {
        string target = StartPool();
        Assert.That(Run("vol-create-as", "rpcpool", "disk.qcow2", "64M", "--format", "qcow2").Trim(), Is.EqualTo("Vol disk.qcow2 created"));
        Assert.That(Run("vol-create-as", "rpcpool", "disk.raw", "32M", "--format", "raw").Trim(), Is.EqualTo("Vol disk.raw created"));
        string qcow2 = Path.Combine(target, "disk.qcow2"), raw = Path.Combine(target, "disk.raw");
        Assert.That(QemuImgRun("check", qcow2), Does.Contain("No errors were found on the image."));
        Assert.That(QemuImgRun("info", "--output=json", qcow2), Does.Contain("\"format\": \"qcow2\"").And.Contain("\"virtual-size\": 67108864"));
        Assert.That(QemuImgRun("info", "--output=json", raw), Does.Contain("\"format\": \"raw\"").And.Contain("\"virtual-size\": 33554432"));

        Assert.That(Run("vol-list", "rpcpool"), Does.Match($@"\n disk\.qcow2\s+{System.Text.RegularExpressions.Regex.Escape(qcow2)}\s*\n disk\.raw\s+"));
        Assert.That(Info("vol-info", "--pool", "rpcpool", "disk.qcow2")[..3], Is.EqualTo(new[] { "Name: disk.qcow2", "Type: file", "Capacity: 64.00 MiB" }));
        Assert.That(Info("vol-info", raw)[..3], Is.EqualTo(new[] { "Name: disk.raw", "Type: file", "Capacity: 32.00 MiB" }), "by path");
        Assert.That(Run("vol-path", "--pool", "rpcpool", "disk.raw").Trim(), Is.EqualTo(raw));
        Assert.That(Run("vol-key", "--pool", "rpcpool", "disk.raw").Trim(), Is.EqualTo(raw));
        Assert.That(Run("vol-pool", raw).Trim(), Is.EqualTo("rpcpool"));
        string xml = Run("vol-dumpxml", "--pool", "rpcpool", "disk.qcow2");
        Assert.That(xml, Does.Contain("<format type='qcow2'/>").And.Contain("<capacity unit='bytes'>67108864</capacity>"));

        Assert.That(Run("vol-resize", "--pool", "rpcpool", "disk.qcow2", "128M").Trim(), Is.EqualTo("Size of volume 'disk.qcow2' successfully changed to 128M"));
        Assert.That(QemuImgRun("info", "--output=json", qcow2), Does.Contain("\"virtual-size\": 134217728"));
        Assert.That(QemuImgRun("check", qcow2), Does.Contain("No errors were found on the image."));
        Assert.That(Run("vol-resize", "--pool", "rpcpool", "disk.raw", "16M", "--delta").Trim(), Is.EqualTo("Size of volume 'disk.raw' successfully changed by 16M"));
        Assert.That(new FileInfo(raw).Length, Is.EqualTo(48L << 20));
        (int exit, _, string stderr) = RunRaw("vol-resize", "--pool", "rpcpool", "disk.raw", "1M");
        Assert.That((exit, stderr.Trim()), Is.EqualTo((1, "error: Failed to change size of volume 'disk.raw' to 1M\n"
            + "error: invalid argument: Can't shrink capacity below current capacity unless shrink flag explicitly specified")));

        Assert.That(Run("vol-clone", "--pool", "rpcpool", "disk.qcow2", "copy.qcow2").Trim(), Is.EqualTo("Vol copy.qcow2 cloned from disk.qcow2"));
        string copy = Path.Combine(target, "copy.qcow2");
        Assert.That(QemuImgRun("check", copy), Does.Contain("No errors were found on the image."));
        Assert.That(QemuImgRun("info", "--output=json", copy), Does.Contain("\"format\": \"qcow2\"").And.Contain("\"virtual-size\": 134217728"));

        Assert.That(Run("vol-wipe", "--pool", "rpcpool", "disk.qcow2").Trim(), Is.EqualTo("Vol disk.qcow2 wiped"));
        Assert.That(QemuImgRun("check", qcow2), Does.Contain("No errors were found on the image."));

        Assert.That(Run("vol-delete", "--pool", "rpcpool", "disk.raw").Trim(), Is.EqualTo("Vol disk.raw deleted"));
        Assert.That(File.Exists(raw), Is.False);
        (exit, _, stderr) = RunRaw("vol-info", "--pool", "rpcpool", "disk.raw");
        Assert.That((exit, stderr.Trim()), Is.EqualTo((1, "error: failed to get vol 'disk.raw'\nerror: Storage volume not found: no storage vol with matching path 'disk.raw'")));
        Assert.That(_f.Rpc.Server.FailedCalls, Is.Zero);
    }

    [Test]
    public void PoolCreateAs_Transient_ActiveUntilDestroyedThenGone()
    {
        string target = Path.Combine(_f.Root, "transient");
        Directory.CreateDirectory(target);
        Assert.That(Run("pool-create-as", "tpool", "dir", "--target", target).Trim(), Is.EqualTo("Pool tpool created"));
        Assert.That(Run("pool-list", "--transient"), Does.Match(@"\n tpool\s+active\s+no\s*\n"));
        Assert.That(Info("pool-info", "tpool")[3], Is.EqualTo("Persistent: no"));
        Assert.That(Run("pool-destroy", "tpool").Trim(), Is.EqualTo("Pool tpool destroyed"));
        Assert.That(_f.Pools.List(), Is.Empty);
        Assert.That(Directory.Exists(target), Is.True, "destroy keeps the directory");
    }

    [Test]
    public void PoolStartBuild_NoDirectoryYet_BuiltAndStarted()
    {
        string target = Path.Combine(_f.Root, "later");
        Run("pool-define-as", "rpcpool", "dir", "--target", target);
        Assert.That(Run("pool-start", "rpcpool", "--build").Trim(), Is.EqualTo("Pool rpcpool started"));
        Assert.That((Directory.Exists(target), _f.Pools.LookupByName("rpcpool").Active), Is.EqualTo((true, true)));
    }

    [Test]
    public void VolCreate_InactivePool_LibvirtsErrorAndNoFile()
    {
        string target = Path.Combine(_f.Root, "images");
        Run("pool-define-as", "rpcpool", "dir", "--target", target);
        Run("pool-build", "rpcpool");
        (int exit, _, string stderr) = RunRaw("vol-create-as", "rpcpool", "disk.raw", "1M");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("error: Requested operation is not valid: storage pool 'rpcpool' is not active"));
        Assert.That(Directory.EnumerateFileSystemEntries(target), Is.Empty);
    }

    [Test]
    public void PoolDefine_ReadOnlySocket_RefusedAndNothingDefined()
    {
        (int exit, _, string stderr) = ExternalTool.Run(null, Virsh, ["-c", _f.Rpc.ReadOnlyUri, "pool-define-as", "rpcpool", "dir", "--target", _f.Root]);
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("error: operation forbidden: read only access prevents virStoragePoolDefineXML"));
        Assert.That(_f.Pools.List(), Is.Empty);
        StartPool();
        (exit, string stdout, stderr) = ExternalTool.Run(null, Virsh, ["-c", _f.Rpc.ReadOnlyUri, "pool-list", "--all"]);
        Assert.That((exit, stderr), Is.EqualTo((0, "")));
        Assert.That(stdout, Does.Match(@"\n rpcpool\s+active\s+no\s*\n"), "the read-only socket lists");
        (exit, _, stderr) = ExternalTool.Run(null, Virsh, ["-c", _f.Rpc.ReadOnlyUri, "vol-create-as", "rpcpool", "x.raw", "1M"]);
        Assert.That(stderr, Does.Contain("error: operation forbidden: read only access prevents virStorageVolCreateXML"));
    }

    [Test]
    public void VolUpload_StreamsNotServed_LibvirtsNotSupportedError()
    {
        string target = StartPool();
        Run("vol-create-as", "rpcpool", "disk.raw", "1M");
        string source = Path.Combine(_f.Root, "upload.bin");
        File.WriteAllBytes(source, new byte[4096]);
        (int exit, _, string stderr) = RunRaw("vol-upload", "--pool", "rpcpool", "disk.raw", source);
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("this function is not supported by the connection driver: virStorageVolUpload"));
        Assert.That(File.Exists(Path.Combine(target, "disk.raw")), Is.True);
        Assert.That(_f.Rpc.Server.FailedCalls, Is.Zero);
    }

    /// <summary>Defines, builds and starts the pool rpcpool in the fixture's directory; its target.</summary>
    private string StartPool()
    {
        string target = Path.Combine(_f.Root, "images");
        Run("pool-define-as", "rpcpool", "dir", "--target", target);
        Run("pool-build", "rpcpool");
        Run("pool-start", "rpcpool");
        return target;
    }

    /// <summary>The "Key: value" lines, the padding collapsed.</summary>
    private string[] Info(params string[] args) =>
        Run(args).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();

    private static string QemuImgRun(params string[] args)
    {
        (int exit, string stdout, string stderr) = ExternalTool.Run(null, QemuImg, args);
        Assert.That(exit, Is.EqualTo(0), $"qemu-img {string.Join(' ', args)}: {stderr}");
        return stdout;
    }

    private string Run(params string[] args)
    {
        (int exit, string stdout, string stderr) = RunRaw(args);
        Assert.That(exit, Is.EqualTo(0), $"virsh {string.Join(' ', args)}: {stderr}");
        return stdout;
    }

    private (int Exit, string Stdout, string Stderr) RunRaw(params string[] args) => ExternalTool.Run(null, Virsh, ["-c", _f.Rpc.Uri, .. args]);
}
