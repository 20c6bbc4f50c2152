using Kvm.DBus.Protocol;

namespace Kvm.DBus.Tests.Protocol;

[TestFixture]
public sealed class DBusNamesTests
{
    [TestCase("/", true)]
    [TestCase("/org/libvirt/QEMU/domain/_0123abcd", true)]
    [TestCase("", false)]
    [TestCase("org", false)]
    [TestCase("/org/", false)]
    [TestCase("//", false)]
    [TestCase("/a//b", false)]
    [TestCase("/a-b", false)]
    public void IsValidObjectPath_Cases(string path, bool expected) => Assert.That(DBusNames.IsValidObjectPath(path), Is.EqualTo(expected));

    [TestCase("org.libvirt.Domain", true)]
    [TestCase("a.b", true)]
    [TestCase("org", false)]
    [TestCase("org..x", false)]
    [TestCase("org.1x", false)]
    [TestCase("org.x-y", false)]
    [TestCase(".org.x", false)]
    public void IsValidInterfaceName_Cases(string name, bool expected) => Assert.That(DBusNames.IsValidInterfaceName(name), Is.EqualTo(expected));

    [TestCase("GetAll", true)]
    [TestCase("_x1", true)]
    [TestCase("1x", false)]
    [TestCase("a.b", false)]
    [TestCase("", false)]
    public void IsValidMemberName_Cases(string name, bool expected) => Assert.That(DBusNames.IsValidMemberName(name), Is.EqualTo(expected));

    [TestCase(":1.42", true)]
    [TestCase(":1.0.x", true)]
    [TestCase("org.libvirt", true)]
    [TestCase("org.my-service", true)]
    [TestCase("org.1x", false)]
    [TestCase("org", false)]
    [TestCase(":", false)]
    public void IsValidBusName_Cases(string name, bool expected) => Assert.That(DBusNames.IsValidBusName(name), Is.EqualTo(expected));

    [Test]
    public void IsValidMemberName_Over255_False() => Assert.That(DBusNames.IsValidMemberName(new string('a', 256)), Is.False);
}
