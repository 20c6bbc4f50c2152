using Kvm.Driver.Domains;
using Kvm.Driver.Secrets;

namespace Kvm.Driver.Tests.Secrets;

/// <summary>The driver core's secrets on a temporary state directory: libvirt's define rules, values and what reaches the disk.</summary>
[TestFixture]
public sealed class SecretManagerTests
{
    private const string VolumeXml = "<secret private='no'><uuid>3beddc70-3379-4903-994b-c0b63ab94628</uuid><usage type='volume'><volume>/a/b</volume></usage></secret>";
    private static readonly Guid s_uuid = Guid.Parse("3beddc70-3379-4903-994b-c0b63ab94628");
    private string _state = null!;
    private SecretManager _secrets = null!;
    private List<SecretLifecycleEvent> _events = null!;

    private string Dir => Path.Combine(_state, "secrets");

    [SetUp]
    public void SetUp()
    {
        _state = Directory.CreateTempSubdirectory("kvmd-secrets-").FullName;
        _secrets = new SecretManager(_state);
        _events = [];
        _secrets.LifecycleEvent += _events.Add;
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_state, recursive: true);

    [Test]
    public void Define_Persistent_FilesMode0600InDirectory0700()
    {
        _secrets.Define(VolumeXml, 0);
        _secrets.SetValue(s_uuid, "hello"u8, 0);
        string xml = Path.Combine(Dir, s_uuid + ".xml"), value = Path.Combine(Dir, s_uuid + ".base64");
        Assert.That(File.ReadAllText(value), Is.EqualTo("aGVsbG8="), "libvirt keeps the value base64-encoded");
        Assert.That(File.ReadAllText(xml), Does.Contain("<volume>/a/b</volume>"));
        Assert.That((File.GetUnixFileMode(xml), File.GetUnixFileMode(value), File.GetUnixFileMode(Dir)),
            Is.EqualTo((UnixFileMode.UserRead | UnixFileMode.UserWrite, UnixFileMode.UserRead | UnixFileMode.UserWrite,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)));
        Assert.That(_events, Is.EqualTo(new[] { new SecretLifecycleEvent(s_uuid, SecretEventType.Defined) }));
    }

    [Test]
    public void Load_AfterRestart_DefinitionAndValueBack()
    {
        _secrets.Define(VolumeXml, 0);
        _secrets.SetValue(s_uuid, [1, 2, 0, 255], 0);
        var again = new SecretManager(_state);
        again.Load();
        Assert.That(again.LookupByUsage((int)SecretUsageType.Volume, "/a/b").Uuid, Is.EqualTo(s_uuid));
        Assert.That(again.GetValue(s_uuid, 0), Is.EqualTo(new byte[] { 1, 2, 0, 255 }));
    }

    [Test]
    public void Define_Ephemeral_NothingOnDisk()
    {
        SecretDef def = _secrets.Define("<secret ephemeral='yes'><usage type='tls'><name>x</name></usage></secret>", 0);
        _secrets.SetValue(def.Uuid, "v"u8, 0);
        Assert.That(Directory.Exists(Dir) ? Directory.GetFiles(Dir) : [], Is.Empty);
        Assert.That(_secrets.GetValue(def.Uuid, 0), Is.EqualTo("v"u8.ToArray()));
        var again = new SecretManager(_state);
        again.Load();
        Assert.That(again.List(0), Is.Empty);
    }

    [Test]
    public void Define_PersistentBecomesEphemeral_FilesRemovedValueKept()
    {
        _secrets.Define(VolumeXml, 0);
        _secrets.SetValue(s_uuid, "v"u8, 0);
        _secrets.Define(VolumeXml.Replace("<secret ", "<secret ephemeral='yes' "), 0);
        Assert.That(Directory.GetFiles(Dir), Is.Empty);
        Assert.That(_secrets.GetValue(s_uuid, 0), Is.EqualTo("v"u8.ToArray()));
    }

    [Test]
    public void Define_SameUsageOtherUuid_LibvirtsErrorNothingWritten()
    {
        _secrets.Define(VolumeXml, 0);
        Assert.That(() => _secrets.Define("<secret><usage type='volume'><volume>/a/b</volume></usage></secret>", 0),
            Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(
                "internal error: a secret with UUID 3beddc70-3379-4903-994b-c0b63ab94628 already defined for use with /a/b"));
        Assert.That((_secrets.List(0).Count, Directory.GetFiles(Dir).Length), Is.EqualTo((1, 1)));
    }

    [Test]
    public void Define_SameUuidOtherUsageId_Refused_OtherTypeSameId_Accepted()
    {
        _secrets.Define(VolumeXml, 0);
        Assert.That(() => _secrets.Define(VolumeXml.Replace("/a/b", "/a/c"), 0), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(
            "internal error: a secret with UUID 3beddc70-3379-4903-994b-c0b63ab94628 is already defined for use with /a/b"));
        // libvirt compares only the usage id of a secret redefined under its UUID
        _secrets.Define("<secret><uuid>3beddc70-3379-4903-994b-c0b63ab94628</uuid><usage type='ceph'><name>/a/b</name></usage></secret>", 0);
        Assert.That(_secrets.LookupByUuid(s_uuid).UsageType, Is.EqualTo(SecretUsageType.Ceph));
    }

    [Test]
    public void Define_PrivateToPublic_Refused()
    {
        _secrets.Define(VolumeXml.Replace("private='no'", "private='yes'"), 0);
        Assert.That(() => _secrets.Define(VolumeXml, 0), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(
            "internal error: cannot change private flag on existing secret"));
    }

    [Test]
    public void GetValue_PrivateOrUnset_LibvirtsErrors()
    {
        _secrets.Define(VolumeXml, 0);
        Assert.That(() => _secrets.GetValue(s_uuid, 0), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(
            "Secret not found: secret '3beddc70-3379-4903-994b-c0b63ab94628' does not have a value"));
        SecretDef hidden = _secrets.Define("<secret private='yes'><usage type='ceph'><name>c</name></usage></secret>", 0);
        // libvirt checks privacy first: a private secret answers so with or without a value
        Assert.That(() => _secrets.GetValue(hidden.Uuid, 0), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo("Invalid secret: secret is private"));
        _secrets.SetValue(hidden.Uuid, "s"u8, 0);
        Assert.That(() => _secrets.GetValue(hidden.Uuid, 0), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo("Invalid secret: secret is private"));
    }

    [Test]
    public void Undefine_Persistent_FilesGoneEventRaised()
    {
        _secrets.Define(VolumeXml, 0);
        _secrets.SetValue(s_uuid, "v"u8, 0);
        _secrets.Undefine(s_uuid);
        Assert.That(Directory.GetFiles(Dir), Is.Empty);
        Assert.That(() => _secrets.LookupByUuid(s_uuid), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(
            "Secret not found: no secret with matching uuid '3beddc70-3379-4903-994b-c0b63ab94628'"));
        Assert.That(_events[^1], Is.EqualTo(new SecretLifecycleEvent(s_uuid, SecretEventType.Undefined)));
    }

    [Test]
    public void List_Filters_AsLibvirt()
    {
        SecretDef plain = _secrets.Define("<secret><usage type='ceph'><name>a</name></usage></secret>", 0);
        SecretDef eph = _secrets.Define("<secret ephemeral='yes' private='yes'><usage type='ceph'><name>b</name></usage></secret>", 0);
        Assert.That(_secrets.List(SecretManager.ListEphemeral).Select(s => s.Uuid), Is.EqualTo(new[] { eph.Uuid }));
        Assert.That(_secrets.List(SecretManager.ListNoPrivate).Select(s => s.Uuid), Is.EqualTo(new[] { plain.Uuid }));
        Assert.That(_secrets.List(0).Count, Is.EqualTo(2));
        Assert.That(() => _secrets.List(16), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(
            "unsupported flags (0x10) in function secretConnectListAllSecrets"));
    }

    [Test]
    public void LookupByUsage_Missing_LibvirtsError() =>
        Assert.That(() => _secrets.LookupByUsage((int)SecretUsageType.Volume, "/nope"), Throws.TypeOf<DomainOperationException>().With.Message.EqualTo(
            "Secret not found: no secret with matching usage '/nope'"));
}
