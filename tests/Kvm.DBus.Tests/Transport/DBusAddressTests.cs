using Kvm.DBus.Transport;

namespace Kvm.DBus.Tests.Transport;

[TestFixture]
[NonParallelizable]
public sealed class DBusAddressTests
{
    [Test]
    public void Parse_Alternatives_InOrderWithProperties()
    {
        IReadOnlyList<DBusAddress> addresses = DBusAddress.Parse("unix:path=/run/user/0/bus,guid=abc;unix:abstract=/tmp/dbus-x;tcp:host=h,port=1");
        Assert.That(addresses.Select(a => a.Transport), Is.EqualTo(new[] { "unix", "unix", "tcp" }));
        Assert.That((addresses[0]["path"], addresses[0]["guid"]), Is.EqualTo(("/run/user/0/bus", "abc")));
        Assert.That(addresses[1]["abstract"], Is.EqualTo("/tmp/dbus-x"));
        Assert.That(addresses[2]["port"], Is.EqualTo("1"));
    }

    [Test]
    public void Parse_PercentEscapes_Decoded()
    {
        DBusAddress address = DBusAddress.Parse("unix:path=/tmp/a%20b%2c%3b%c3%a9")[0];
        Assert.That(address["path"], Is.EqualTo("/tmp/a b,;é"));
    }

    [TestCase("nocolon")]
    [TestCase("unix:path")]
    [TestCase("unix:path=/a%2")]
    [TestCase("unix:path=/a%zz")]
    [TestCase("unix:path=/a,path=/b")]
    public void Parse_Malformed_FormatException(string text) => Assert.That(() => DBusAddress.Parse(text), Throws.TypeOf<FormatException>());

    [Test]
    public void Escape_RoundTripsThroughParse()
    {
        const string path = "/tmp/dir with spaces/ü;,=bus";
        Assert.That(DBusAddress.Parse("unix:path=" + DBusAddress.Escape(path))[0]["path"], Is.EqualTo(path));
        Assert.That(DBusAddress.Escape("/run/dbus/system_bus_socket"), Is.EqualTo("/run/dbus/system_bus_socket"));
    }

    [Test]
    public void GetSystemBusAddress_DefaultAndEnvironment()
    {
        string? saved = Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS");
        try
        {
            Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", null);
            Assert.That(DBusAddress.GetSystemBusAddress(), Is.EqualTo("unix:path=/run/dbus/system_bus_socket"));
            Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", "unix:abstract=sys");
            Assert.That(DBusAddress.GetSystemBusAddress(), Is.EqualTo("unix:abstract=sys"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS", saved);
        }
    }

    [Test]
    public void GetSessionBusAddress_FromEnvironment()
    {
        string? saved = Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS");
        try
        {
            Environment.SetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS", "unix:path=/tmp/session");
            Assert.That(DBusAddress.GetSessionBusAddress(), Is.EqualTo("unix:path=/tmp/session"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS", saved);
        }
    }
}
