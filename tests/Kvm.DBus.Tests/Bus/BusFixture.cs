using Kvm.DBus.Service;

namespace Kvm.DBus.Tests.Bus;

/// <summary>
/// A private bus with our service on it: org.kvm.TestService exporting org.kvm.Test at /org/kvm/test and a
/// subtree at /org/kvm/test/domain (children _1 and _2), plus a client connection of ours.
/// </summary>
public abstract class BusFixture
{
    public const string ServiceName = "org.kvm.TestService";
    public const string ObjectPath = "/org/kvm/test";

    internal DBusDaemon Daemon { get; private set; } = null!;

    internal DBusConnection Service { get; private set; } = null!;

    internal DBusConnection Client { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartBusAsync()
    {
        Daemon = DBusDaemon.Start();
        Service = await DBusConnection.ConnectAsync(Daemon.Address);
        Service.AddMethodHandler(new ObjectHandler(ObjectPath, new TestInterface()));
        var domain = new TestInterface();
        string[] children = ["_1", "_2"];
        Service.AddMethodHandler(ObjectHandler.ForSubtree(ObjectPath + "/domain",
            path => children.Contains(path[(path.LastIndexOf('/') + 1)..]) ? [domain] : null, () => children));
        Assert.That(await Service.RequestNameAsync(ServiceName, RequestNameFlags.DoNotQueue), Is.EqualTo(RequestNameReply.PrimaryOwner));
        Client = await DBusConnection.ConnectAsync(Daemon.Address);
    }

    [OneTimeTearDown]
    public async Task StopBusAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
        Daemon?.Dispose();
    }
}
