using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Kvmctl;

/// <summary>Which bus kvmctl uses (<c>--connect</c>, KVMCTL_BUS) and what it says when kvmd cannot be reached.</summary>
[TestFixture]
public sealed class BusSelectionTests
{
    [TestCase("bogus")]
    [TestCase("test:///default")]
    public void Connect_UnknownBus_FailsToConnect(string bus)
    {
        Executable.Result result = KvmctlProcess.Kvmctl(null, null, "list", "--connect", bus);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stdout, Is.EqualTo("\n"));
        Assert.That(result.Stderr, Is.EqualTo("error: failed to connect to the hypervisor\n" +
            $"error: unsupported connection '{bus}': use session, system, qemu:///session or qemu:///system\n"));
    }

    [Test]
    public void Connect_SessionWithoutSessionBus_SaysSo()
    {
        Executable.Result result = KvmctlProcess.Kvmctl(null, null, "-c", "qemu:///session", "list");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stderr, Is.EqualTo("error: failed to connect to the hypervisor\nerror: no session bus: DBUS_SESSION_BUS_ADDRESS is not set\n"));
    }

    [Test]
    [Category("DBusDaemon")]
    public void Connect_BusWithoutKvmd_SaysKvmdIsNotRunning()
    {
        using PrivateBus bus = PrivateBus.Start();

        Executable.Result result = KvmctlProcess.Kvmctl(bus.Address, null, "-c", "session", "list", "--all");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stderr, Does.StartWith("error: kvmd is not running on this bus (").And.Contain("org.libvirt"));
    }

    [Test]
    public void Help_Verbs_AreListed()
    {
        Executable.Result result = KvmctlProcess.Kvmctl(null, null, "--help");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        foreach (string verb in new[] { "list", "define", "undefine", "start", "create", "shutdown", "destroy", "reboot", "reset",
                     "suspend", "resume", "dumpxml", "dominfo", "domstate", "autostart", "console", "domid", "domname", "domuuid" })
        {
            Assert.That(result.Stdout, Does.Contain("  " + verb + " "), verb);
        }
        Assert.That(result.Stdout, Does.Not.Contain("--object-path"));
    }
}
