using Kvm.Driver.Api;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Tests.Api;

/// <summary>
/// A private bus for the fixture, and per test a fresh <see cref="FakeDomainManager"/> served by a fresh
/// <see cref="KvmdApiService"/> (the upstream suite starts a fresh libvirt-dbus per test), plus a client of ours.
/// </summary>
public abstract class ApiBusFixture
{
    internal PrivateBus Bus { get; private set; } = null!;

    internal FakeDomainManager Manager { get; private set; } = null!;

    internal KvmdApiService Service { get; private set; } = null!;

    internal DBusConnection Client { get; private set; } = null!;

    internal static string TestDomainPath => LibvirtPaths.Domain(FakeDomainManager.TestUuid);

    [OneTimeSetUp]
    public void StartBus() => Bus = PrivateBus.Start();

    [OneTimeTearDown]
    public void StopBus() => Bus?.Dispose();

    [SetUp]
    public async Task StartServiceAsync()
    {
        Manager = new FakeDomainManager();
        Service = await KvmdApiService.StartAsync(Manager, Bus.Address);
        Client = await BusClient.ConnectAsync(Bus.Address);
    }

    [TearDown]
    public async Task StopServiceAsync()
    {
        if (Client is not null)
        {
            Client.Dispose();
        }
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
    }
}
