using Kvm.Driver.Api;
using Kvm.Driver.Snapshots;
using Kvm.Driver.Tests.Domains;
using Kvm.Driver.Tests.Snapshots;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Tests.Api;

/// <summary>
/// org.libvirt.DomainSnapshot and Domain's snapshot methods at libvirt-dbus's paths on a real dbus-daemon, served by
/// kvmd's D-Bus front end over the real driver core (one shut-off domain on a real qcow2 image), and libvirt-dbus's
/// upstream snapshot tests against kvmd and against the real libvirt-dbus with libvirt's test driver.
/// </summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(60_000)]
public sealed class SnapshotApiTests
{
    private const string Domain = "org.libvirt.Domain";
    private const string Snapshot = "org.libvirt.DomainSnapshot";
    private PrivateBus _bus = null!;
    private ManagerFixture _f = null!;
    private KvmdApiService _service = null!;
    private DBusConnection _client = null!;
    private string _image = null!;
    private Guid _uuid;

    [OneTimeSetUp]
    public void StartBus() => _bus = PrivateBus.Start();

    [OneTimeTearDown]
    public void StopBus() => _bus?.Dispose();

    [SetUp]
    public async Task SetUp()
    {
        SnapshotImages.RequireTools();
        _f = new ManagerFixture();
        await _f.Manager.InitializeAsync(CancellationToken.None);
        _image = SnapshotImages.Create(_f.Root, "test.qcow2", "qcow2");
        _uuid = _f.Manager.Define(SnapshotImages.DomainXml("test", _image, "qcow2")).Uuid;
        var snapshots = new SnapshotManager(_f.Manager, _f.Options.StateDirectory);
        _service = await KvmdApiService.StartAsync(_f.Manager, _bus.Address, new KvmdApiOptions { EmulatorPath = _f.Options.VmmPath },
            CancellationToken.None, hostObjects: new HostObjects(Snapshots: snapshots));
        _client = await BusClient.ConnectAsync(_bus.Address);
    }

    [TearDown]
    public async Task TearDown()
    {
        _client?.Dispose();
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
        if (_f is not null)
        {
            await _f.DisposeAsync();
        }
    }

    [Test]
    public async Task Snapshots_CreateListLookupRevertDelete_AsCockpitUsesThem()
    {
        string domain = LibvirtPaths.Domain(_uuid);
        Assert.That(await CallAsync(domain, Domain, "ListDomainSnapshots", [Arg.UInt32(0)], ReadPaths), Is.Empty);
        SnapshotImages.Write(_image, "qcow2", 0x11);
        string path = await CallAsync(domain, Domain, "SnapshotCreateXML",
            [Arg.String("<domainsnapshot><name>my_snapshot</name><description>Cockpit's</description></domainsnapshot>"), Arg.UInt32(0)], ReadPath);
        Assert.That(path, Is.EqualTo($"/org/libvirt/QEMU/domainsnapshot/{LibvirtPaths.EncodeUuid(_uuid)}_my_5fsnapshot"));
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await CallAsync(domain, Domain, "ListDomainSnapshots", [Arg.UInt32(0)], ReadPaths), Is.EqualTo(new[] { path }));
            Assert.That(await CallAsync(domain, Domain, "SnapshotCurrent", [Arg.UInt32(0)], ReadPath), Is.EqualTo(path));
            Assert.That(await CallAsync(domain, Domain, "SnapshotLookupByName", [Arg.String("my_snapshot"), Arg.UInt32(0)], ReadPath), Is.EqualTo(path));
            Assert.That(await CallAsync(path, Snapshot, "IsCurrent", [Arg.UInt32(0)], static (Message m, object? _) => m.GetBodyReader().ReadBool()), Is.True);
            Assert.That(await CallAsync(path, Snapshot, "ListChildren", [Arg.UInt32(0)], ReadPaths), Is.Empty);
            Assert.That(await CallAsync(path, Snapshot, "GetXMLDesc", [Arg.UInt32(0)], ReadString),
                Does.StartWith("<domainsnapshot>\n  <name>my_snapshot</name>\n  <description>Cockpit&apos;s</description>\n  <state>shutoff</state>\n"));
            Assert.That(SnapshotImages.InternalSnapshots(_image), Is.EqualTo(new[] { "my_snapshot" }));
        });
        Assert.That(async () => await CallAsync(path, Snapshot, "GetParent", [Arg.UInt32(0)], ReadPath),
            Throws.TypeOf<DBusErrorReplyException>().With.Property(nameof(DBusErrorReplyException.ErrorMessage))
                .EqualTo("Domain snapshot not found: snapshot 'my_snapshot' does not have a parent"));

        SnapshotImages.Write(_image, "qcow2", 0x22);
        await CallAsync(path, Snapshot, "Revert", [Arg.UInt32(0)], ReadNothing);
        Assert.That(SnapshotImages.Holds(_image, "qcow2", 0x11), Is.True, "the write after the snapshot is gone");

        await CallAsync(path, Snapshot, "Delete", [Arg.UInt32(0)], ReadNothing);
        Assert.That(await CallAsync(domain, Domain, "ListDomainSnapshots", [Arg.UInt32(0)], ReadPaths), Is.Empty);
        Assert.That(SnapshotImages.InternalSnapshots(_image), Is.Empty);
        Assert.That(async () => await CallAsync(path, Snapshot, "GetXMLDesc", [Arg.UInt32(0)], ReadString),
            Throws.TypeOf<DBusErrorReplyException>().With.Property(nameof(DBusErrorReplyException.ErrorMessage))
                .EqualTo("Domain snapshot not found: no domain snapshot with matching name 'my_snapshot'"));
    }

    [Test]
    public async Task Undefine_CockpitsFlags_DropsSnapshotMetadata()
    {
        string domain = LibvirtPaths.Domain(_uuid);
        await CallAsync(domain, Domain, "SnapshotCreateXML", [Arg.String("<domainsnapshot/>"), Arg.UInt32(0)], ReadPath);
        Assert.That(async () => await CallAsync(domain, Domain, "Undefine", [Arg.UInt32(0)], ReadNothing),
            Throws.TypeOf<DBusErrorReplyException>().With.Property(nameof(DBusErrorReplyException.ErrorMessage))
                .EqualTo("Requested operation is not valid: cannot delete inactive domain with 1 snapshots"));
        await CallAsync(domain, Domain, "Undefine", [Arg.UInt32(7)], ReadNothing); // MANAGED_SAVE | SNAPSHOTS_METADATA | NVRAM
        Assert.That(_f.Manager.List(), Is.Empty);
    }

    public static readonly string[] SuiteTests =
    [
        "test_domain_snapshot", "test_snapshot_delete", "test_snapshot_get_parent", "test_snapshot_get_xml",
        "test_snapshot_get_is_current", "test_snapshot_list_children", "test_snapshot_revert",
    ];

    /// <summary>libvirt-dbus's upstream snapshot tests (libvirt_dbus_suite.py), against kvmd's shut-off qcow2 domain.</summary>
    [TestCaseSource(nameof(SuiteTests))]
    public void Suite_AgainstKvmd_Passes(string test)
    {
        ExternalTool.RequirePythonDBus();
        RunSuite(_bus.Address, LibvirtPaths.Connect, test);
    }

    /// <summary>The same tests against the real libvirt-dbus and libvirt's test driver, which must pass them too.</summary>
    [TestCaseSource(nameof(SuiteTests))]
    public async Task Suite_AgainstReferencePeer_Passes(string test)
    {
        ExternalTool.RequirePythonDBus();
        ReferencePeer.Require();
        using PrivateBus peerBus = PrivateBus.Start();
        await using ReferencePeer peer = await ReferencePeer.StartAsync(peerBus.Address);
        RunSuite(peerBus.Address, ReferencePeer.ConnectPath, test);
    }

    private static void RunSuite(string busAddress, string connectPath, string test)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "Api", "libvirt_dbus_suite.py");
        (int exit, string stdout, string stderr) = ExternalTool.Run(null, ExternalTool.Python, script, busAddress, connectPath, test);
        Assert.That(exit, Is.EqualTo(0), $"{test} failed:\n{stdout}\n{stderr}");
        Assert.That(stdout.Trim(), Is.EqualTo("ok"));
    }

    private static bool ReadNothing(Message m, object? _) => true;

    private static string ReadPath(Message m, object? _) => m.GetBodyReader().ReadObjectPathAsString();

    private static string[] ReadPaths(Message m, object? _) => m.GetBodyReader().ReadArrayOfObjectPath().Select(p => p.ToString()).ToArray();

    private static string ReadString(Message m, object? _) => m.GetBodyReader().ReadString();

    private Task<T> CallAsync<T>(string path, string iface, string member, Arg[] args, MessageValueReader<T> reader)
    {
        string signature = string.Concat(args.Select(a => a.Signature));
        MessageBuffer call;
        MessageWriter writer = _client.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader("org.libvirt", path, iface, member, signature.Length == 0 ? null : signature);
            foreach (Arg arg in args)
            {
                arg.WriteTo(ref writer);
            }
            call = writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
        return _client.CallMethodAsync(call, reader);
    }
}
