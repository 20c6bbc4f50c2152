using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Domains;

/// <summary>virDomainAttachDeviceFlags / DetachDeviceFlags on the persistent definition (what Cockpit's Add disk and Remove do).</summary>
public sealed partial class DomainDefinitionsTests
{
    private const uint AffectCurrent = 0, AffectLive = 1, AffectConfig = 2;

    private const string VolumeDisk = """
        <disk type='volume' device='disk'>
          <driver name='qemu' type='qcow2'/>
          <source pool='images' volume='data'/>
          <target dev='vdb' bus='virtio'/>
        </disk>
        """;

    [TestCase(AffectCurrent)]
    [TestCase(AffectConfig)]
    public async Task AttachDevice_ShutOffDomain_DiskInTheStoredDefinitionAndDefinedUpdated(uint flags)
    {
        var info = _definitions.Define(TestDomains.Xml("a"));
        _definitions.AttachDevice(info.Uuid, VolumeDisk, flags);

        string stored = File.ReadAllText(Path.Combine(StateDirectory, "a.xml"));
        Assert.That(stored, Does.Contain("<source pool='images' volume='data'/>").And.Contain("<target dev='vdb' bus='virtio'/>"));
        Assert.That(_definitions.GetXmlDesc(info.Uuid, DomainXmlFlags.Inactive), Does.Contain("<target dev='vdb' bus='virtio'/>"));
        Assert.That(await EventsAsync(), Is.EqualTo(new[] { "a 0/0", "a 0/1" }));
    }

    [Test]
    public void AttachDevice_TargetTaken_RefusedAndDefinitionUnchanged()
    {
        var info = _definitions.Define(TestDomains.Xml("a"));
        _definitions.AttachDevice(info.Uuid, VolumeDisk, AffectConfig);
        string before = File.ReadAllText(Path.Combine(StateDirectory, "a.xml"));

        Assert.That(() => _definitions.AttachDevice(info.Uuid, VolumeDisk, AffectConfig), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("operation failed: target vdb already exists"));
        Assert.That(File.ReadAllText(Path.Combine(StateDirectory, "a.xml")), Is.EqualTo(before));
    }

    [Test]
    public void AttachDevice_InvalidDevice_ValidationErrorAndDefinitionUnchanged()
    {
        var info = _definitions.Define(TestDomains.Xml("a"));
        string before = File.ReadAllText(Path.Combine(StateDirectory, "a.xml"));

        Assert.That(() => _definitions.AttachDevice(info.Uuid, "<disk type='file' device='disk'><target dev='vdb' bus='nonsense'/></disk>",
            AffectConfig), Throws.TypeOf<DomainOperationException>());
        Assert.That(() => _definitions.AttachDevice(info.Uuid, "<disk", AffectConfig), Throws.TypeOf<DomainOperationException>()
            .With.Message.StartsWith("XML error: "));
        Assert.That(File.ReadAllText(Path.Combine(StateDirectory, "a.xml")), Is.EqualTo(before));
    }

    [TestCase(AffectCurrent)]
    [TestCase(AffectLive)]
    public void AttachDevice_RunningDomainLive_NotSupportedAndNothingChanged(uint flags)
    {
        var info = _definitions.Define(TestDomains.Xml("a"));
        MarkRunning(info.Uuid);

        Assert.That(() => _definitions.AttachDevice(info.Uuid, VolumeDisk, flags), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Operation not supported: live attach of device 'disk' is not supported")
            .And.Property(nameof(DomainOperationException.Code)).EqualTo(VirErrorCode.OperationUnsupported));
        Assert.That(File.ReadAllText(Path.Combine(StateDirectory, "a.xml")), Does.Not.Contain("vdb"));
    }

    [Test]
    public void AttachDevice_RunningDomainConfig_OnlyThePersistentDefinitionChanges()
    {
        var info = _definitions.Define(TestDomains.Xml("a"));
        MarkRunning(info.Uuid);
        _definitions.AttachDevice(info.Uuid, VolumeDisk, AffectConfig);

        Assert.That(_definitions.GetXmlDesc(info.Uuid, DomainXmlFlags.Inactive), Does.Contain("<target dev='vdb' bus='virtio'/>"));
        Assert.That(_definitions.GetXmlDesc(info.Uuid, DomainXmlFlags.None), Does.Not.Contain("vdb"));
    }

    [Test]
    public void DetachDevice_DiskByTargetAndInterfaceByMac_RemovedFromTheStoredDefinition()
    {
        var info = _definitions.Define(TestDomains.Xml("a"));
        _definitions.AttachDevice(info.Uuid, VolumeDisk, AffectConfig);
        _definitions.AttachDevice(info.Uuid, "<interface type='user'><mac address='52:54:00:12:34:56'/><model type='virtio'/></interface>", 0);

        _definitions.DetachDevice(info.Uuid, "<disk type='volume' device='disk'><target dev='vdb'/></disk>", AffectConfig);
        _definitions.DetachDevice(info.Uuid, "<interface type='user'><mac address='52:54:00:12:34:56'/></interface>", AffectCurrent);

        string stored = File.ReadAllText(Path.Combine(StateDirectory, "a.xml"));
        Assert.That(stored, Does.Not.Contain("vdb").And.Not.Contain("52:54:00:12:34:56"));
        Assert.That(() => _definitions.DetachDevice(info.Uuid, "<disk><target dev='vdb'/></disk>", AffectConfig),
            Throws.TypeOf<DomainOperationException>().With.Message.EqualTo("operation failed: no target device vdb"));
    }
}
