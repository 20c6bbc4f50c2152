using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>
/// python3-libvirt (Debian's, unchanged) against the RPC front end over the real driver core: open, define, list,
/// lookups, XML, info, start, destroy, undefine and a lifecycle callback. Ignored where python3-libvirt is missing.
/// </summary>
public sealed class RpcPythonTests
{
    private RpcFixture _f = null!;

    [SetUp]
    public async Task SetUp()
    {
        ExternalTool.RequirePythonLibvirt();
        _f = await RpcFixture.StartAsync();
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
    public void Script_DefineStartDestroyUndefine_EveryStepAndItsEvents()
    {
        string xml = Path.Combine(_f.Manager.Root, "p.xml");
        File.WriteAllText(xml, TestDomains.Xml("p"));
        string script = Path.Combine(AppContext.BaseDirectory, "Rpc", "rpc_libvirt.py");
        (int exit, string stdout, string stderr) = ExternalTool.Run(null, TimeSpan.FromSeconds(60), ExternalTool.Python, script, _f.Uri, xml);
        Assert.That(exit, Is.Zero, stderr);
        string uuid = TestDomains.UuidOf("p").ToString("D");
        Assert.That(stdout.Split('\n'), Is.EqualTo(new[]
        {
            "type QEMU",
            "lib 9000000",
            $"defined p {uuid} -1 1",
            "list p",
            "lookup True",
            "lookup-uuid p",
            "xml-has-name True",
            "info [5, 131072, 131072, 1, 0]",
            "state [1, 1]",
            "lookup-id p",
            "gone 42 Domain not found: no domain with matching name 'p'",
            // virDomainEventType/detail: DEFINED/ADDED, STARTED/BOOTED, STOPPED/DESTROYED, UNDEFINED/REMOVED
            "events p 0/0, p 2/0, p 5/1, p 1/0",
            "",
        }));
    }
}
