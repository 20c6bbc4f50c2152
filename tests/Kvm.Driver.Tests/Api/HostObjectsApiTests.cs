using Kvm.Driver.Api;
using Kvm.Driver.Secrets;

namespace Kvm.Driver.Tests.Api;

/// <summary>
/// org.libvirt.Secret (and the other host objects) at libvirt-dbus's paths on a real dbus-daemon, served by kvmd's D-Bus
/// front end over the real driver core's managers on a temporary state directory, driven by python3-dbus
/// (host_objects_suite.py) as libvirt-dbus's own tests drive it. A fresh service per test, as upstream.
/// </summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(60_000)]
public sealed class HostObjectsApiTests
{
    private PrivateBus _bus = null!;
    private string _state = null!;
    private KvmdApiService _service = null!;

    public static readonly string[] SecretTests =
    [
        "test_connect_secret_define_xml", "test_connect_secret_lookup_by_property", "test_secret_properties_type",
        "test_secret_value", "test_secret_private_value", "test_secret_undefine",
    ];

    /// <summary>
    /// libvirt-dbus's node device and interface tests, on this host's real devices and interfaces. Upstream's node device
    /// tests act on a vHBA they create and destroy, and its interface tests on an interface they define and start;
    /// kvmd, like libvirt's udev backends on a QEMU host, can do neither, so those steps check libvirt's refusal instead.
    /// </summary>
    public static readonly string[] HostTests =
    [
        "test_connect_list_node_devices", "test_connect_node_device_lookup_by_property", "test_node_device_get_xml_description",
        "test_node_device_list_caps", "test_node_device_properties_type", "test_node_device_destroy_refused",
        "test_connect_node_device_create_xml_refused", "test_connect_list_interfaces", "test_connect_interface_lookup_by_property",
        "test_interface_properties_type", "test_interface_get_xml_description", "test_interface_changes_refused", "test_nwfilters_none",
    ];

    [OneTimeSetUp]
    public void StartBus() => _bus = PrivateBus.Start();

    [OneTimeTearDown]
    public void StopBus() => _bus?.Dispose();

    [SetUp]
    public async Task SetUp()
    {
        _state = Directory.CreateTempSubdirectory("kvmd-host-").FullName;
        var secrets = new SecretManager(_state);
        secrets.Load();
        _service = await KvmdApiService.StartAsync(new FakeDomainManager(), _bus.Address, hostObjects: HostObjects.ForHost(secrets));
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
        Directory.Delete(_state, recursive: true);
    }

    [TestCaseSource(nameof(SecretTests))]
    public void Secret_AgainstKvmd_Passes(string test) => RunSuite(test);

    [TestCaseSource(nameof(HostTests))]
    public void Host_AgainstKvmd_Passes(string test) => RunSuite(test);

    [Test]
    public void SecretDefineXML_Persistent_ValueOnDiskMode0600()
    {
        RunSuite("test_secret_value");
        string[] files = Directory.GetFiles(Path.Combine(_state, "secrets"));
        Assert.That(files.Select(Path.GetExtension).Order(), Is.EqualTo(new[] { ".base64", ".xml" }));
        Assert.That(files.Select(File.GetUnixFileMode).Distinct(), Is.EqualTo(new[] { UnixFileMode.UserRead | UnixFileMode.UserWrite }));
    }

    private void RunSuite(string test)
    {
        ExternalTool.RequirePythonDBus();
        string script = Path.Combine(AppContext.BaseDirectory, "Api", "host_objects_suite.py");
        (int exit, string stdout, string stderr) = ExternalTool.Run(null, ExternalTool.Python, script, _bus.Address, LibvirtPaths.Connect, test);
        Assert.That(exit, Is.EqualTo(0), $"{test} failed:\n{stdout}\n{stderr}");
        Assert.That(stdout.Trim(), Is.EqualTo("ok"));
    }
}
