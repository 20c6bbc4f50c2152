using System.Xml.Linq;
using Kvm.Driver.Api;
using Kvm.Driver.Tests.Domains;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Tests.Api;

/// <summary>
/// org.libvirt.Connect's host methods as cockpit-machines and libvirt-dbus's clients call them, on a real dbus-daemon,
/// served by the real driver core (<see cref="ManagerFixture"/>) through kvmd's D-Bus front end.
/// </summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(60_000)]
public sealed partial class HostApiTests
{
    private PrivateBus _bus = null!;
    private ManagerFixture _f = null!;
    private KvmdApiService _service = null!;
    private DBusConnection _client = null!;

    [OneTimeSetUp]
    public void StartBus() => _bus = PrivateBus.Start();

    [OneTimeTearDown]
    public void StopBus() => _bus?.Dispose();

    [SetUp]
    public async Task SetUp()
    {
        _f = new ManagerFixture();
        await _f.Manager.InitializeAsync(CancellationToken.None);
        _service = await KvmdApiService.StartAsync(_f.Manager, _bus.Address, new KvmdApiOptions { EmulatorPath = _f.Options.VmmPath });
        _client = await BusClient.ConnectAsync(_bus.Address);
    }

    [TearDown]
    public async Task TearDown()
    {
        _client?.Dispose();
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
        if (_f is not null)
        {
            await _f.DisposeAsync();
        }
    }

    [TestCase("")]
    [TestCase("pc")]
    [TestCase("q35")]
    [TestCase("pc-q35-7.2")]
    public async Task GetDomainCapabilities_MachineOfADefinedDomain_Answered(string machine)
    {
        // cockpit-machines asks with the machine of each domain's XML, and drops a domain whose call fails.
        string xml = await CallAsync("GetDomainCapabilities", [Arg.String(""), Arg.String("x86_64"), Arg.String(machine), Arg.String(""), Arg.UInt32(0)],
            static (Message m, object? _) => m.GetBodyReader().ReadString());
        var caps = XElement.Parse(xml);
        Assert.That(caps.Element("machine")!.Value, Is.EqualTo(machine.Length > 0 ? machine : "pc"));
        Assert.That(caps.Element("path")!.Value, Is.EqualTo(_f.Options.VmmPath));
    }

    [Test]
    public void GetDomainCapabilities_MachineKvmVmmDoesNotRun_LibvirtsError()
    {
        Assert.That(async () => await CallAsync("GetDomainCapabilities", [Arg.String(""), Arg.String(""), Arg.String("virt"), Arg.String(""), Arg.UInt32(0)],
            static (Message m, object? _) => m.GetBodyReader().ReadString()),
            Throws.TypeOf<DBusErrorReplyException>().With.Property(nameof(DBusErrorReplyException.ErrorName)).EqualTo("org.libvirt.Error")
                .And.Property(nameof(DBusErrorReplyException.ErrorMessage)).EqualTo($"invalid argument: the machine 'virt' is not supported by emulator '{_f.Options.VmmPath}'"));
    }

    private Task<T> CallAsync<T>(string member, Arg[] args, MessageValueReader<T> reader)
    {
        string signature = string.Concat(args.Select(a => a.Signature));
        MessageBuffer call;
        MessageWriter writer = _client.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader("org.libvirt", LibvirtPaths.Connect, "org.libvirt.Connect", member, signature.Length == 0 ? null : signature);
            foreach (Arg arg in args)
            {
                arg.WriteTo(ref writer);
            }
            call = writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
        return _client.CallMethodAsync(call, reader);
    }
}
