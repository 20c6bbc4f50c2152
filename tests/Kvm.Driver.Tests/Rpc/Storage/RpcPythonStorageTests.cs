using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Rpc.Storage;

/// <summary>
/// python3-libvirt (Debian's, unchanged) against the RPC front end's storage procedures and storage pool events, over
/// the real driver core's dir pools. Ignored where python3-libvirt or qemu-img is missing.
/// </summary>
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class RpcPythonStorageTests
{
    private StorageRpcFixture _f = null!;

    [SetUp]
    public async Task SetUp()
    {
        ExternalTool.RequirePythonLibvirt();
        ExternalTool.Require("/usr/bin/qemu-img", "qemu-utils");
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
    public void Script_PoolAndVolumeLife_EveryStepAndItsEvents()
    {
        string target = Path.Combine(_f.Root, "images");
        string script = Path.Combine(AppContext.BaseDirectory, "Rpc", "Storage", "rpc_storage.py");
        (int exit, string stdout, string stderr) = ExternalTool.Run(null, TimeSpan.FromSeconds(60), ExternalTool.Python, script, _f.Rpc.Uri, target);
        Assert.That(exit, Is.Zero, stderr);
        string vol = Path.Combine(target, "v.qcow2");
        Assert.That(stdout.Split('\n'), Is.EqualTo(new[]
        {
            "defined pypool 0 1 0",
            "list ['pypool'] ['pypool'] 1",
            "lookup-uuid pypool",
            "active 1 ['pypool'] 1 2",
            "vol v.qcow2 True [0, 8388608] 1 ['v.qcow2']",
            "vol-pool pypool v.qcow2 ['v.qcow2']",
            "resized 16777216",
            // VIR_ERR_NO_STORAGE_VOL (50) from VIR_FROM_STORAGE (18)
            "vol-gone 50 18 Storage volume not found: no storage vol with matching name 'v.qcow2'",
            // VIR_ERR_NO_STORAGE_POOL (49)
            "gone 49 18 Storage pool not found: no storage pool with matching name 'pypool'",
            "events pypool 0/0, pypool 4/0, pypool 2/0, pypool 3/0, pypool 5/0, pypool 1/0",
            "events-one pypool 4/0, pypool 2/0, pypool 3/0, pypool 5/0, pypool 1/0",
            "refreshed pypool",
            "",
        }));
        Assert.That(File.Exists(vol), Is.False);
        Assert.That(_f.Rpc.Server.RegisteredCallbacks, Is.Zero);
        Assert.That(_f.Rpc.Server.FailedCalls, Is.Zero);
    }
}
