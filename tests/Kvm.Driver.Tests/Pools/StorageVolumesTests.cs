using System.Xml.Linq;
using Kvm.Driver.Domains;
using Kvm.Driver.Pools;
using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Pools;

/// <summary>Volumes of an active dir pool on a real directory: raw sparse create, lookups, info, XML, delete, bad names.</summary>
public sealed class StorageVolumesTests
{
    private string _root = null!;
    private StoragePoolManager _pools = null!;
    private Guid _pool;

    private string Images => Path.Combine(_root, "images");

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("kvmd-vols-").FullName;
        _pools = new StoragePoolManager(Path.Combine(_root, "state"));
        _pools.Load();
        _pool = _pools.Define(StoragePoolManagerTests.PoolXml("default", Images)).Uuid;
        _pools.Build(_pool, 0);
        _pools.Start(_pool);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void CreateVolume_OneGiB_SparseRawFileFoundByNameKeyAndPath()
    {
        var vol = _pools.CreateVolume(_pool, VolXml("sparse.img", "<capacity unit='G'>1</capacity>"), 0);
        string path = Path.Combine(Images, "sparse.img");
        Assert.That((vol.Name, vol.Key, vol.Path), Is.EqualTo(("sparse.img", path, path)));
        Assert.That(new FileInfo(path).Length, Is.EqualTo(1L << 30));
        var info = _pools.GetVolumeInfo(vol.Key);
        Assert.That(info.Capacity, Is.EqualTo(1UL << 30));
        Assert.That(info.Allocation, Is.LessThan(1UL << 20), "sparse");
        Assert.That(_pools.LookupVolumeByName(_pool, "sparse.img"), Is.EqualTo(vol));
        Assert.That(_pools.LookupVolumeByKey(path), Is.EqualTo(vol));
        Assert.That(_pools.LookupVolumeByPath(path), Is.EqualTo(vol));
        Assert.That(_pools.ListVolumes(_pool), Is.EqualTo(new[] { vol }));
        var xml = XElement.Parse(_pools.GetVolumeXmlDesc(vol.Key));
        Assert.That(xml.Element("capacity")!.Value, Is.EqualTo("1073741824"));
        Assert.That(xml.Element("target")!.Element("format")!.Attribute("type")!.Value, Is.EqualTo("raw"));
    }

    [Test]
    public void CreateVolume_Qcow2_QemuImgSeesTheVirtualSize()
    {
        ExternalTool.Require("/usr/bin/qemu-img", "qemu-utils");
        var vol = _pools.CreateVolume(_pool, VolXml("disk.qcow2", "<capacity unit='MiB'>64</capacity><target><format type='qcow2'/></target>"), 0);
        (int exit, string stdout, string stderr) = ExternalTool.Run(null, "/usr/bin/qemu-img", "info", "--output=json", vol.Path);
        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("\"virtual-size\": 67108864").And.Contain("\"format\": \"qcow2\""));
        var info = _pools.GetVolumeInfo(vol.Key);
        Assert.That((info.Capacity, info.Format), Is.EqualTo((64UL << 20, "qcow2")));
        Assert.That(info.Physical, Is.LessThan(1UL << 20));
        Assert.That(XElement.Parse(_pools.GetVolumeXmlDesc(vol.Key)).Element("target")!.Element("format")!.Attribute("type")!.Value, Is.EqualTo("qcow2"));
    }

    [Test]
    public void DeleteVolume_Created_FileGoneAndNotFound()
    {
        var vol = _pools.CreateVolume(_pool, VolXml("a.img", "<capacity>4096</capacity>"), 0);
        _pools.DeleteVolume(vol.Key, 0);
        Assert.That(File.Exists(vol.Path), Is.False);
        Assert.That(() => _pools.LookupVolumeByName(_pool, "a.img"), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Storage volume not found: no storage vol with matching name 'a.img'"));
    }

    [TestCase("../escape.img", "Requested operation is not valid: volume name '../escape.img' cannot contain '/'")]
    [TestCase("sub/x.img", "Requested operation is not valid: volume name 'sub/x.img' cannot contain '/'")]
    [TestCase("..", "Requested operation is not valid: volume name '..' would leave the pool's directory")]
    public void CreateVolume_NameLeavingThePool_RefusedNothingCreated(string name, string message)
    {
        Assert.That(() => _pools.CreateVolume(_pool, VolXml(name, "<capacity>1024</capacity>"), 0), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo(message));
        Assert.That(Directory.GetFileSystemEntries(_root).Select(Path.GetFileName), Is.EquivalentTo(new[] { "state", "images" }));
        Assert.That(Directory.GetFileSystemEntries(Images), Is.Empty);
    }

    [Test]
    public void CreateVolume_Exists_RefusedFileUntouched()
    {
        File.WriteAllText(Path.Combine(Images, "a.img"), "data");
        Assert.That(() => _pools.CreateVolume(_pool, VolXml("a.img", "<capacity>1024</capacity>"), 0), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("storage volume 'a.img' exists already"));
        Assert.That(File.ReadAllText(Path.Combine(Images, "a.img")), Is.EqualTo("data"));
    }

    [Test]
    public void CreateVolume_InactivePool_NotActive()
    {
        _pools.Destroy(_pool);
        Assert.That(() => _pools.CreateVolume(_pool, VolXml("a.img", "<capacity>1024</capacity>"), 0), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: storage pool 'default' is not active"));
    }

    [TestCase("<volume><capacity>1</capacity></volume>", "XML error: missing volume name element")]
    [TestCase("<volume><name>a</name></volume>", "XML error: missing capacity element")]
    [TestCase("<volume><name>a</name><capacity>1</capacity><target><format type='vmdk'/></target></volume>",
        "unsupported configuration: volume format 'vmdk' (kvmd creates raw and qcow2 volumes)")]
    public void CreateVolume_InvalidXml_LibvirtsError(string xml, string message) =>
        Assert.That(() => _pools.CreateVolume(_pool, xml, 0), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(message));

    [TestCase("1", "bytes", 1UL)]
    [TestCase("2", "KiB", 2048UL)]
    [TestCase("2", "KB", 2000UL)]
    [TestCase("3", "M", 3UL << 20)]
    [TestCase("1", "TiB", 1UL << 40)]
    public void Scale_LibvirtUnits_Bytes(string value, string unit, ulong bytes) => Assert.That(StorageVolXml.Scale(value, unit), Is.EqualTo(bytes));

    private static string VolXml(string name, string capacity) => $"<volume><name>{name}</name>{capacity}</volume>";
}
