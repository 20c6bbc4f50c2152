using Kvm.Driver.Api;

namespace Kvm.Driver.Tests.Api;

/// <summary>
/// libvirt-dbus's upstream Connect and Domain tests, re-implemented in libvirt_dbus_suite.py (python3-dbus, as
/// upstream), against kvmd's API on a private bus with a fresh service per test, and against the real libvirt-dbus
/// to show the re-implementation asks what upstream asks.
/// </summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(60000)]
public sealed class LibvirtDBusSuiteTests : ApiBusFixture
{
    public static readonly string[] Tests =
    [
        "test_connect_domain_create_xml", "test_connect_domain_define_xml", "test_connect_domain_lookup_by_id",
        "test_connect_domain_lookup_by_name", "test_connect_domain_lookup_by_uuid", "test_connect_list_domains",
        "test_connect_properties_return_type_encrypted", "test_connect_properties_return_type_hostname",
        "test_connect_properties_return_type_libversion", "test_connect_properties_return_type_secure",
        "test_connect_properties_return_type_version", "test_connect_get_sysinfo", "test_connect_get_capabilities",
        "test_connect_node_get_free_memory", "test_connect_get_cpu_model_names", "test_connect_node_get_cpu_stats",
        "test_connect_node_get_cpumap", "test_api", "test_domain_autostart", "test_domain_metadata", "test_resume",
        "test_shutdown", "test_suspend", "test_undefine", "test_domain_vcpus", "test_domain_get_stats_double_wrapped",
    ];

    [TestCaseSource(nameof(Tests))]
    public void Suite_AgainstKvmd_Passes(string test) => RunSuite(Bus.Address, LibvirtPaths.Connect, test);

    [TestCaseSource(nameof(Tests))]
    public async Task Suite_AgainstReferencePeer_Passes(string test)
    {
        ReferencePeer.Require();
        // The fixture's bus carries kvmd's service; the peer gets a bus of its own.
        using PrivateBus peerBus = PrivateBus.Start();
        await using ReferencePeer peer = await ReferencePeer.StartAsync(peerBus.Address);
        RunSuite(peerBus.Address, ReferencePeer.ConnectPath, test);
    }

    internal static void RunSuite(string busAddress, string connectPath, string test)
    {
        ExternalTool.RequirePythonDBus();
        string script = Path.Combine(AppContext.BaseDirectory, "Api", "libvirt_dbus_suite.py");
        (int exit, string stdout, string stderr) = ExternalTool.Run(null, ExternalTool.Python, script, busAddress, connectPath, test);
        Assert.That(exit, Is.EqualTo(0), $"{test} failed:\n{stdout}\n{stderr}");
        Assert.That(stdout.Trim(), Is.EqualTo("ok"));
    }
}
