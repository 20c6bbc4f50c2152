using Kvm.Driver.Domains;
using Kvm.Driver.Snapshots;
using Kvm.Driver.Tests.Api;
using Kvm.Driver.Tests.Domains;

namespace Kvm.Driver.Tests.Snapshots;

/// <summary>
/// The driver core's snapshots over the real domain manager (definitions on a temporary state directory) and real
/// qcow2 and raw images made, written and read with qemu-img and qemu-io.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class SnapshotManagerTests
{
    private const long Time = 1_765_000_000;
    private ManagerFixture _f = null!;
    private SnapshotManager _snapshots = null!;
    private string _images = null!;
    private long _clock;

    private DomainManager Manager => _f.Manager;

    [SetUp]
    public async Task SetUp()
    {
        SnapshotImages.RequireTools();
        _f = new ManagerFixture();
        await _f.Manager.InitializeAsync(CancellationToken.None);
        _images = Path.Combine(_f.Root, "images");
        Directory.CreateDirectory(_images);
        _clock = Time;
        _snapshots = NewSnapshots();
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
    public void Create_QcowDisk_InternalSnapshotInImageAndLibvirtsXml()
    {
        (Guid uuid, string image) = DefineQcow("a");
        SnapshotDef def = _snapshots.Create(uuid, "<domainsnapshot><name>s1</name><description>first</description></domainsnapshot>", 0);

        Assert.That(SnapshotImages.InternalSnapshots(image), Is.EqualTo(new[] { "s1" }));
        string xml = _snapshots.GetXmlDesc(uuid, "s1", 0);
        Assert.Multiple(() =>
        {
            Assert.That(def.Name, Is.EqualTo("s1"));
            Assert.That(xml, Does.StartWith($"""
                <domainsnapshot>
                  <name>s1</name>
                  <description>first</description>
                  <state>shutoff</state>
                  <creationTime>{Time}</creationTime>
                  <memory snapshot='no'/>
                  <disks>
                    <disk name='vda' snapshot='internal'/>
                  </disks>
                  <domain type='kvm'>
                    <name>a</name>
                """.ReplaceLineEndings("\n")));
            Assert.That(xml, Does.EndWith("  </domain>\n</domainsnapshot>\n"));
            Assert.That(_snapshots.List(uuid, 0).Select(s => s.Name), Is.EqualTo(new[] { "s1" }));
            Assert.That(_snapshots.Current(uuid, 0).Name, Is.EqualTo("s1"));
            Assert.That(_snapshots.HasCurrent(uuid, 0), Is.True);
            Assert.That(_snapshots.IsCurrent(uuid, "s1", 0), Is.True);
        });
    }

    [Test]
    public void Create_NoName_NamedAfterCreationTime()
    {
        (Guid uuid, string image) = DefineQcow("a");
        SnapshotDef def = _snapshots.Create(uuid, "<domainsnapshot/>", 0);
        Assert.That(def.Name, Is.EqualTo(Time.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(SnapshotImages.InternalSnapshots(image), Is.EqualTo(new[] { def.Name }));
    }

    [Test]
    public async Task Revert_DataWrittenAfterSnapshot_IsGone()
    {
        (Guid uuid, string image) = DefineQcow("a");
        SnapshotImages.Write(image, "qcow2", 0x11);
        _snapshots.Create(uuid, "<domainsnapshot><name>before</name></domainsnapshot>", 0);
        SnapshotImages.Write(image, "qcow2", 0x22);
        Assert.That(SnapshotImages.Holds(image, "qcow2", 0x22), Is.True);

        await _snapshots.RevertAsync(uuid, "before", 0, CancellationToken.None);

        Assert.That(SnapshotImages.Holds(image, "qcow2", 0x11), Is.True, "the image is back to what it held at the snapshot");
        Assert.That(await _f.WaitForEventsAsync(uuid, "0/3"), Is.True, "DEFINED/FROM_SNAPSHOT: " + _f.EventsOf(uuid));
    }

    [Test]
    public async Task Revert_RunningDomainWithRunningFlag_StoppedRevertedStartedAgain()
    {
        (Guid uuid, string image) = DefineQcow("a");
        SnapshotImages.Write(image, "qcow2", 0x11);
        Create(uuid, "s1");
        SnapshotImages.Write(image, "qcow2", 0x22);
        await Manager.StartAsync(uuid, paused: false, CancellationToken.None);
        Assert.That(() => _snapshots.Delete(uuid, "s1", 0), Throws.TypeOf<DomainOperationException>()
            .With.Message.StartsWith("Operation not supported: kvmd deletes internal snapshots of shut-off domains only"));

        await _snapshots.RevertAsync(uuid, "s1", SnapshotFlags.RevertRunning, CancellationToken.None);

        Assert.That(Manager.LookupByUuid(uuid).Active, Is.True);
        Assert.That(SnapshotImages.Holds(image, "qcow2", 0x11), Is.True);
        // STARTED, STOPPED, DEFINED/FROM_SNAPSHOT, STARTED again (libvirt says STOPPED/FROM_SNAPSHOT where kvmd says DESTROYED).
        Assert.That(await _f.WaitForEventsAsync(uuid, "2/0 5/1 0/3 2/0"), Is.True, _f.EventsOf(uuid));
        Assert.That(() => _snapshots.RevertAsync(uuid, "s1", SnapshotFlags.RevertRunning | SnapshotFlags.RevertPaused, CancellationToken.None).AsTask(),
            Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(
                "invalid argument: Flags 'VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING' and 'VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED' are mutually exclusive"));
    }

    [Test]
    public async Task Tree_ParentsChildrenCurrentAndDelete_AsLibvirt()
    {
        (Guid uuid, string image) = DefineQcow("a");
        Create(uuid, "s1");
        Create(uuid, "s2");
        await _snapshots.RevertAsync(uuid, "s1", 0, CancellationToken.None);
        Create(uuid, "s3");

        Assert.Multiple(() =>
        {
            Assert.That(_snapshots.GetParent(uuid, "s2", 0).Name, Is.EqualTo("s1"));
            Assert.That(_snapshots.GetParent(uuid, "s3", 0).Name, Is.EqualTo("s1"));
            Assert.That(() => _snapshots.GetParent(uuid, "s1", 0), Throws.TypeOf<DomainOperationException>()
                .With.Message.EqualTo("Domain snapshot not found: snapshot 's1' does not have a parent"));
            Assert.That(_snapshots.ListChildren(uuid, "s1", 0).Select(s => s.Name), Is.EqualTo(new[] { "s2", "s3" }));
            Assert.That(_snapshots.List(uuid, SnapshotFlags.ListRoots).Select(s => s.Name), Is.EqualTo(new[] { "s1" }));
            Assert.That(_snapshots.List(uuid, SnapshotFlags.ListLeaves).Select(s => s.Name), Is.EqualTo(new[] { "s2", "s3" }));
            Assert.That(_snapshots.Current(uuid, 0).Name, Is.EqualTo("s3"));
        });

        _snapshots.Delete(uuid, "s1", 0);
        Assert.Multiple(() =>
        {
            Assert.That(SnapshotImages.InternalSnapshots(image), Is.EqualTo(new[] { "s2", "s3" }));
            Assert.That(_snapshots.List(uuid, SnapshotFlags.ListRoots).Select(s => s.Name), Is.EqualTo(new[] { "s2", "s3" }));
        });

        _snapshots.Delete(uuid, "s3", 0);
        Assert.That(_snapshots.HasCurrent(uuid, 0), Is.False, "the current snapshot had no parent left");
        Assert.That(() => _snapshots.Current(uuid, 0), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Domain snapshot not found: the domain does not have a current snapshot"));
        Assert.That(() => _snapshots.Lookup(uuid, "s3", 0), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Domain snapshot not found: no domain snapshot with matching name 's3'"));
    }

    [Test]
    public void Delete_ChildrenOnly_KeepsSnapshotAndMakesItCurrent()
    {
        (Guid uuid, string image) = DefineQcow("a");
        Create(uuid, "s1");
        Create(uuid, "s2");
        Create(uuid, "s3");
        _snapshots.Delete(uuid, "s1", SnapshotFlags.DeleteChildrenOnly);
        Assert.That(SnapshotImages.InternalSnapshots(image), Is.EqualTo(new[] { "s1" }));
        Assert.That(_snapshots.Current(uuid, 0).Name, Is.EqualTo("s1"));
    }

    [Test]
    public void Metadata_KvmdRestart_SameSnapshotsParentsAndCurrent()
    {
        (Guid uuid, _) = DefineQcow("a");
        Create(uuid, "s1");
        Create(uuid, "s2");
        string before = _snapshots.GetXmlDesc(uuid, "s2", SnapshotFlags.XmlSecure);

        var restarted = NewSnapshots();
        restarted.Load();

        Assert.Multiple(() =>
        {
            Assert.That(restarted.List(uuid, 0).Select(s => s.Name), Is.EqualTo(new[] { "s1", "s2" }));
            Assert.That(restarted.Current(uuid, 0).Name, Is.EqualTo("s2"));
            Assert.That(restarted.GetParent(uuid, "s2", 0).Name, Is.EqualTo("s1"));
            Assert.That(restarted.GetXmlDesc(uuid, "s2", SnapshotFlags.XmlSecure), Is.EqualTo(before));
            Assert.That(File.ReadAllText(Path.Combine(_f.Options.StateDirectory, "snapshot", uuid.ToString("D"), "s1.xml")),
                Does.Contain("<active>0</active>"));
        });
    }

    [Test]
    public void Create_RawDisk_LibvirtsRefusalAndNothingKept()
    {
        string image = SnapshotImages.Create(_images, "raw.img", "raw");
        Guid uuid = Manager.Define(SnapshotImages.DomainXml("r", image, "raw")).Uuid;
        var e = Assert.Throws<DomainOperationException>(() => _snapshots.Create(uuid, "<domainsnapshot><name>s</name></domainsnapshot>", 0));
        Assert.That((e!.Code, e.Message), Is.EqualTo((VirErrorCode.ConfigUnsupported,
            "unsupported configuration: internal snapshot for disk vda unsupported for storage type raw")));
        Assert.That(_snapshots.List(uuid, 0), Is.Empty);
    }

    [Test]
    public void Create_BadInput_ClearErrors()
    {
        (Guid uuid, string image) = DefineQcow("a");
        Create(uuid, "s1");
        Assert.Multiple(() =>
        {
            Assert.That(() => _snapshots.Create(uuid, "<domainsnapshot><name>s1</name></domainsnapshot>", 0),
                Throws.TypeOf<DomainOperationException>().With.Message.EqualTo("operation failed: domain moment s1 already exists"));
            Assert.That(() => _snapshots.Create(uuid, "<domainsnapshot><name>a/b</name></domainsnapshot>", 0),
                Throws.TypeOf<DomainOperationException>().With.Message.EqualTo("invalid snapshot name 'a/b': name can't contain '/'"));
            Assert.That(() => _snapshots.Create(uuid, "<domain/>", 0),
                Throws.TypeOf<DomainOperationException>().With.Message.EqualTo("XML error: expecting root element of 'domainsnapshot', not 'domain'"));
            Assert.That(() => _snapshots.Create(uuid, "<domainsnapshot><disks><disk name='vdz'/></disks></domainsnapshot>", 0),
                Throws.TypeOf<DomainOperationException>().With.Message.EqualTo("unsupported configuration: no disk named 'vdz'"));
            Assert.That(() => _snapshots.Create(uuid, "<domainsnapshot/>", SnapshotFlags.CreateCurrent),
                Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(
                    "invalid argument: Flag 'VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE' is required by flag 'VIR_DOMAIN_SNAPSHOT_CREATE_CURRENT'"));
            Assert.That(() => _snapshots.Create(uuid, "<domainsnapshot/>", SnapshotFlags.CreateQuiesce | SnapshotFlags.CreateDiskOnly),
                Throws.TypeOf<DomainOperationException>().With.Message.EqualTo("unsupported flags (0x40) in function qemuDomainSnapshotCreateXML"));
            Assert.That(() => _snapshots.Create(uuid, "<domainsnapshot><memory snapshot='internal'/></domainsnapshot>", 0),
                Throws.TypeOf<DomainOperationException>().With.Message.EqualTo("XML error: memory state cannot be saved with offline or disk-only snapshot"));
        });
        Assert.That(SnapshotImages.InternalSnapshots(image), Is.EqualTo(new[] { "s1" }), "no failed request touched the image");
    }

    [Test]
    public void Create_ValidateFlag_LibvirtsSchemaRefusesUnknownElement()
    {
        ExternalTool.Require("/usr/share/libvirt/schemas/domainsnapshot.rng", "libvirt0");
        (Guid uuid, _) = DefineQcow("a");
        var e = Assert.Throws<DomainOperationException>(() =>
            _snapshots.Create(uuid, "<domainsnapshot><name>s</name><bogus/></domainsnapshot>", SnapshotFlags.CreateValidate));
        Assert.That((int)e!.Code, Is.EqualTo(92)); // VIR_ERR_XML_INVALID_SCHEMA
        Assert.That(e.Message, Does.StartWith("XML document failed to validate against schema: Unable to validate doc against /usr/share/libvirt/schemas/domainsnapshot.rng\n"));
        Assert.That(_snapshots.Create(uuid, "<domainsnapshot><name>s</name></domainsnapshot>", SnapshotFlags.CreateValidate).Name, Is.EqualTo("s"));
    }

    [Test]
    public async Task Create_RunningDomain_RefusedClearly()
    {
        Guid uuid = Manager.Define(TestDomains.Xml("run")).Uuid;
        await Manager.StartAsync(uuid, paused: false, CancellationToken.None);
        var e = Assert.Throws<DomainOperationException>(() => _snapshots.Create(uuid, "<domainsnapshot/>", 0));
        Assert.That(e!.Message, Does.StartWith("Operation not supported: kvmd takes snapshots of shut-off domains only"));
    }

    [Test]
    public void Undefine_WithSnapshots_NeedsSnapshotsMetadataFlag()
    {
        (Guid uuid, _) = DefineQcow("a");
        Create(uuid, "s1");
        Create(uuid, "s2");
        var e = Assert.Throws<DomainOperationException>(() => Manager.Undefine(uuid, 0));
        Assert.That((e!.Code, e.Message), Is.EqualTo((VirErrorCode.OperationInvalid,
            "Requested operation is not valid: cannot delete inactive domain with 2 snapshots")));
        Assert.That(Manager.TryGet(uuid, out _), Is.True);

        Manager.Undefine(uuid, 2); // VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
        Assert.That(Manager.TryGet(uuid, out _), Is.False);
        Assert.That(Directory.Exists(Path.Combine(_f.Options.StateDirectory, "snapshot", uuid.ToString("D"))), Is.False);
    }

    [Test]
    public void DiskOnly_External_OverlayAndDomainSwitchedToIt()
    {
        (Guid uuid, string image) = DefineQcow("a");
        SnapshotImages.Write(image, "qcow2", 0x11);
        SnapshotDef def = _snapshots.Create(uuid, "<domainsnapshot><name>ext</name></domainsnapshot>", SnapshotFlags.CreateDiskOnly);

        string overlay = Path.Combine(_images, "a.ext");
        Assert.Multiple(() =>
        {
            Assert.That(def.Disks.Single(), Is.EqualTo(new SnapshotDiskDef("vda", "external", "file", overlay, "qcow2")));
            Assert.That(SnapshotImages.BackingFile(overlay), Is.EqualTo(image));
            Assert.That(Manager.GetXmlDesc(uuid, DomainXmlFlags.Inactive), Does.Contain($"<source file='{overlay}'/>"));
            Assert.That(_snapshots.GetXmlDesc(uuid, "ext", 0), Does.Contain($"<source file='{image}'/>"), "the snapshot keeps the domain as it was");
        });
        SnapshotImages.Write(overlay, "qcow2", 0x22);
        Assert.That(SnapshotImages.Holds(image, "qcow2", 0x11), Is.True, "writes go to the overlay");

        Assert.That(() => _snapshots.RevertAsync(uuid, "ext", 0, CancellationToken.None).AsTask(), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("unsupported configuration: revert to external snapshot not supported yet"));
        Assert.That(() => _snapshots.Delete(uuid, "ext", 0), Throws.TypeOf<DomainOperationException>()
            .With.Message.StartsWith("Operation not supported: deleting the overlays of external snapshot 'ext'"));
        _snapshots.Delete(uuid, "ext", SnapshotFlags.DeleteMetadataOnly);
        Assert.That(_snapshots.List(uuid, 0), Is.Empty);
        Assert.That(File.Exists(overlay), Is.True);
    }

    [Test]
    public void Redefine_FromOwnXml_RestoresMetadataAndCurrent()
    {
        (Guid uuid, _) = DefineQcow("a");
        Create(uuid, "s1");
        string xml = _snapshots.GetXmlDesc(uuid, "s1", SnapshotFlags.XmlSecure);
        _snapshots.Delete(uuid, "s1", SnapshotFlags.DeleteMetadataOnly);
        Assert.That(_snapshots.HasCurrent(uuid, 0), Is.False);

        _snapshots.Create(uuid, xml, SnapshotFlags.CreateRedefine | SnapshotFlags.CreateCurrent);
        Assert.That(_snapshots.GetXmlDesc(uuid, "s1", SnapshotFlags.XmlSecure), Is.EqualTo(xml));
        Assert.That(_snapshots.Current(uuid, 0).Name, Is.EqualTo("s1"));
        Assert.That(() => _snapshots.Create(uuid, xml.Replace("<name>s1</name>", "<name>s2</name>").Replace("<state>shutoff</state>", "<state>disk-snapshot</state>"),
            SnapshotFlags.CreateRedefine | SnapshotFlags.CreateDiskOnly), Throws.Nothing);
        Assert.That(() => _snapshots.Create(uuid, "<domainsnapshot><name>s9</name><state>shutoff</state><creationTime>1</creationTime><parent><name>nope</name></parent></domainsnapshot>",
            SnapshotFlags.CreateRedefine), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo("invalid argument: parent nope for moment s9 not found"));
    }

    private SnapshotManager NewSnapshots() => new(Manager, _f.Options.StateDirectory, clock: () => _clock++);

    private (Guid Uuid, string Image) DefineQcow(string name)
    {
        string image = SnapshotImages.Create(_images, name + ".qcow2", "qcow2");
        return (Manager.Define(SnapshotImages.DomainXml(name, image, "qcow2")).Uuid, image);
    }

    private void Create(Guid uuid, string name) => _snapshots.Create(uuid, $"<domainsnapshot><name>{name}</name></domainsnapshot>", 0);
}
