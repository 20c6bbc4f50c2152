using System.Xml.Linq;
using Kvm.Driver.Domains;
using Kvm.Driver.Pools;

namespace Kvm.Driver.Tests.Pools;

/// <summary>The driver core's dir pools on real directories: define, build, start, stop, delete, undefine, autostart, persistence.</summary>
public sealed class StoragePoolManagerTests
{
    private string _root = null!;
    private StoragePoolManager _pools = null!;

    private string State => Path.Combine(_root, "state");

    private string Images => Path.Combine(_root, "images");

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("kvmd-pools-").FullName;
        _pools = new StoragePoolManager(State);
        _pools.Load();
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void DefineBuildStart_DirPool_ActiveWithTheDirectorysFigures()
    {
        var pool = _pools.Define(PoolXml("default", Images));
        Assert.That((pool.Active, pool.Persistent, pool.Autostart), Is.EqualTo((false, true, false)));
        Assert.That(File.Exists(Path.Combine(State, "storage", "default.xml")), Is.True);
        _pools.Build(pool.Uuid, 0);
        Assert.That(File.GetUnixFileMode(Images), Is.EqualTo(StoragePoolXml.DefaultMode));
        _pools.Start(pool.Uuid);
        var info = _pools.GetInfo(pool.Uuid);
        Assert.That(info.State, Is.EqualTo(StoragePoolInfo.Running));
        Assert.That(info.Capacity, Is.GreaterThan(0).And.GreaterThanOrEqualTo(info.Available));
        var xml = XElement.Parse(_pools.GetXmlDesc(pool.Uuid, 0));
        Assert.That(xml.Element("target")!.Element("path")!.Value, Is.EqualTo(Images));
        Assert.That(xml.Element("capacity")!.Value, Is.EqualTo(info.Capacity.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(xml.Element("target")!.Element("permissions")!.Element("mode")!.Value, Is.EqualTo("0711"));
    }

    [Test]
    public void GetXmlDesc_Inactive_LibvirtsCanonicalForm()
    {
        var pool = _pools.Define(PoolXml("default", Images, uuid: "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566"));
        Assert.That(_pools.GetXmlDesc(pool.Uuid, 1), Is.EqualTo($"""
            <pool type='dir'>
              <name>default</name>
              <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>
              <capacity unit='bytes'>0</capacity>
              <allocation unit='bytes'>0</allocation>
              <available unit='bytes'>0</available>
              <source>
              </source>
              <target>
                <path>{Images}</path>
                <permissions>
                  <mode>0711</mode>
                  <owner>0</owner>
                  <group>0</group>
                </permissions>
              </target>
            </pool>

            """));
    }

    [Test]
    public void Start_PathIsAFile_RefusedAndInactive()
    {
        File.WriteAllText(Images, "");
        var pool = _pools.Define(PoolXml("p", Images));
        Assert.That(() => _pools.Start(pool.Uuid), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo($"cannot open directory '{Images}': Not a directory"));
        Assert.That(() => _pools.Build(pool.Uuid, 0), Throws.TypeOf<DomainOperationException>());
        Assert.That(_pools.LookupByName("p").Active, Is.False);
    }

    [Test]
    public void DestroyDeleteUndefine_ActivePool_GoneFromDiskAndTable()
    {
        var pool = _pools.Define(PoolXml("p", Images));
        _pools.Build(pool.Uuid, 0);
        _pools.Start(pool.Uuid);
        Assert.That(() => _pools.Undefine(pool.Uuid), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: storage pool 'p' is still active"));
        _pools.Destroy(pool.Uuid);
        Assert.That(() => _pools.Destroy(pool.Uuid), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: storage pool 'p' is not active"));
        _pools.Delete(pool.Uuid, 0);
        Assert.That(Directory.Exists(Images), Is.False);
        _pools.Undefine(pool.Uuid);
        Assert.That(_pools.List(), Is.Empty);
        Assert.That(() => _pools.LookupByName("p"), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Storage pool not found: no storage pool with matching name 'p'"));
        Assert.That(Directory.GetFiles(Path.Combine(State, "storage")), Is.Empty);
    }

    [Test]
    public void Load_AutostartPool_BackAndStarted()
    {
        var pool = _pools.Define(PoolXml("p", Images));
        _pools.Build(pool.Uuid, 0);
        _pools.SetAutostart(pool.Uuid, true);
        var reloaded = new StoragePoolManager(State);
        reloaded.Load();
        var back = reloaded.LookupByUuid(pool.Uuid);
        Assert.That((back.Name, back.Active, back.Persistent, back.Autostart), Is.EqualTo(("p", true, true, true)));
    }

    [Test]
    public void CreateTransient_ThenDestroy_Gone()
    {
        Directory.CreateDirectory(Images);
        var pool = _pools.CreateTransient(PoolXml("t", Images));
        Assert.That((pool.Active, pool.Persistent), Is.EqualTo((true, false)));
        _pools.Destroy(pool.Uuid);
        Assert.That(_pools.List(), Is.Empty);
        Assert.That(Directory.Exists(Path.Combine(State, "storage")), Is.False, "a transient pool has no file");
    }

    [Test]
    public void Define_Clashes_LibvirtsErrorsNothingWritten()
    {
        _pools.Define(PoolXml("p", Images, uuid: "11111111-2222-3333-4444-555555555555"));
        Assert.That(() => _pools.Define(PoolXml("p", Images + "2")), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("operation failed: pool 'p' already exists with uuid 11111111-2222-3333-4444-555555555555"));
        Assert.That(() => _pools.Define(PoolXml("q", Images)), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("operation failed: Storage source conflict with pool: 'p'"));
        Assert.That(Directory.GetFiles(Path.Combine(State, "storage")).Select(Path.GetFileName), Is.EqualTo(new[] { "p.xml" }));
    }

    [TestCase("<pool type='dir'><target><path>/x</path></target></pool>", "XML error: missing pool source name element")]
    [TestCase("<pool type='dir'><name>a/b</name><target><path>/x</path></target></pool>", "XML error: name a/b cannot contain '/'")]
    [TestCase("<pool type='dir'><name>a</name></pool>", "XML error: missing storage pool target path")]
    [TestCase("<pool><name>a</name></pool>", "XML error: storage pool missing type attribute")]
    [TestCase("<network><name>a</name></network>", "XML error: unexpected root element <network>, expecting <pool>")]
    [TestCase("<pool type='logical'><name>a</name></pool>", "unsupported configuration: storage pool type 'logical' (kvmd serves 'dir' pools)")]
    public void Define_InvalidXml_LibvirtsError(string xml, string message)
    {
        Assert.That(() => _pools.Define(xml), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(message));
        Assert.That(_pools.List(), Is.Empty);
    }

    internal static string PoolXml(string name, string path, string? uuid = null) =>
        $"<pool type='dir'><name>{name}</name>{(uuid is null ? "" : $"<uuid>{uuid}</uuid>")}<target><path>{path}</path></target></pool>";
}
