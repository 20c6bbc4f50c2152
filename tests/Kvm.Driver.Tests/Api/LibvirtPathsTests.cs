using Kvm.Driver.Api;

namespace Kvm.Driver.Tests.Api;

[TestFixture]
public sealed class LibvirtPathsTests
{
    private static readonly Guid s_uuid = Guid.Parse("6695eb01-f6a4-8304-79aa-97f2502e193f");

    [Test]
    public void DomainSnapshot_UuidAndName_IsLibvirtDBusEncodingAndDecodes()
    {
        var uuid = Guid.Parse("6695eb01-f6a4-8304-79aa-97f2502e193f");
        string path = LibvirtPaths.DomainSnapshot(uuid, "my_snapshot");
        // libvirt-dbus 1.4.1's answer to SnapshotCreateXML (BEHAVIOUR.md), with our Connect path.
        Assert.That(path, Is.EqualTo("/org/libvirt/QEMU/domainsnapshot/_6695eb01_f6a4_8304_79aa_97f2502e193f_my_5fsnapshot"));
        Assert.That(LibvirtPaths.TryDecodeDomainSnapshot(path, out Guid domain, out string name), Is.True);
        Assert.That((domain, name), Is.EqualTo((uuid, "my_snapshot")));
        Assert.That(LibvirtPaths.TryDecodeDomainSnapshot(LibvirtPaths.DomainSnapshotRoot + "/_6695eb01", out _, out _), Is.False);
        Assert.That(LibvirtPaths.TryDecodeDomainSnapshot(path + "/x", out _, out _), Is.False);
    }

    [Test]
    public void Domain_Uuid_IsLibvirtDBusEncoding() =>
        Assert.That(LibvirtPaths.Domain(s_uuid), Is.EqualTo("/org/libvirt/QEMU/domain/_6695eb01_f6a4_8304_79aa_97f2502e193f"));

    [Test]
    public void DecodeUuid_EncodedNode_RoundTrips()
    {
        string node = LibvirtPaths.EncodeUuid(s_uuid);
        Assert.That(LibvirtUuid.TryParse(LibvirtPaths.DecodeUuid(node), out Guid decoded), Is.True);
        Assert.That(decoded, Is.EqualTo(s_uuid));
    }

    [TestCase("/org/libvirt/QEMU/domain", true, "")]
    [TestCase("/org/libvirt/QEMU/domain/_x", true, "_x")]
    [TestCase("/org/libvirt/QEMU/domain/_x/y", false, "")]
    [TestCase("/org/libvirt/QEMU/domainx", false, "")]
    [TestCase("/org/libvirt/QEMU", false, "")]
    public void TryGetDomainNode_Path_OnlyRootAndDirectChildren(string path, bool served, string node)
    {
        Assert.That(LibvirtPaths.TryGetDomainNode(path, out string actual), Is.EqualTo(served));
        if (served)
        {
            Assert.That(actual, Is.EqualTo(node));
        }
    }
}
