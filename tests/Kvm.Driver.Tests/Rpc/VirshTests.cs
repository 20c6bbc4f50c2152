using System.Diagnostics;
using Kvm.Driver.Domains;
using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>
/// Debian's real virsh (libvirt-clients 9.0), unchanged, against the RPC front end over the real driver core, through
/// <c>qemu:///session?socket=PATH</c>. The VMM is kvm-vmm --machine none (a real process and QMP monitor, no VM), so
/// start, suspend, resume and destroy run without /dev/kvm. Reported as ignored where virsh is not installed.
/// </summary>
public sealed class VirshTests
{
    private const string Virsh = "/usr/bin/virsh";
    private RpcFixture _f = null!;
    private string _xmlFile = null!;

    [SetUp]
    public async Task SetUp()
    {
        ExternalTool.Require(Virsh, "libvirt-clients");
        _f = await RpcFixture.StartAsync();
        _xmlFile = Path.Combine(_f.Manager.Root, "a.xml");
        File.WriteAllText(_xmlFile, TestDomains.Xml("a"));
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_f is not null)
        {
            await _f.DisposeAsync();
        }
    }

    [Test]
    public void Version_Virsh_QemuHypervisorVersion()
    {
        string output = Run("version");
        Assert.That(output, Does.Contain("Using API: QEMU 9.0.0"));
        Assert.That(output, Does.Contain("Running hypervisor: QEMU 7.2.0"));
    }

    [Test]
    public void Hostname_Virsh_TheDriverCoresHostname() =>
        Assert.That(Run("hostname").Trim(), Is.EqualTo(_f.Manager.Manager.Hostname));

    [Test]
    public void Define_Virsh_ListedAsShutOffWithDominfoAndReason()
    {
        Assert.That(Run("define", _xmlFile).Trim(), Is.EqualTo($"Domain 'a' defined from {_xmlFile}"));
        Assert.That(Run("list", "--all"), Does.Match(@"\n -\s+a\s+shut off\n"));
        string dominfo = Run("dominfo", "a");
        Assert.That(dominfo, Does.Contain("Name:           a\n"));
        Assert.That(dominfo, Does.Contain($"UUID:           {TestDomains.UuidOf("a"):D}\n"));
        Assert.That(dominfo, Does.Contain("State:          shut off\n"));
        Assert.That(dominfo, Does.Contain("Max memory:     131072 KiB\n"));
        Assert.That(dominfo, Does.Contain("Persistent:     yes\n"));
        Assert.That(dominfo, Does.Contain("Autostart:      disable\n"));
        Assert.That(dominfo, Does.EndWith("Managed save:   no\nSecurity model: none\nSecurity DOI:   0\n\n"), "as virtqemud without a security driver");
        Assert.That(Run("domstate", "--reason", "a").Trim(), Is.EqualTo("shut off (unknown)"));
    }

    [Test]
    public void Dumpxml_Virsh_TheDriverCoresXml()
    {
        Run("define", _xmlFile);
        Guid uuid = TestDomains.UuidOf("a");
        Assert.That(Run("dumpxml", "a"), Is.EqualTo(_f.Manager.Manager.GetXmlDesc(uuid, DomainXmlFlags.None) + "\n"));
        Assert.That(Run("dumpxml", "--inactive", "a"), Is.EqualTo(_f.Manager.Manager.GetXmlDesc(uuid, DomainXmlFlags.Inactive) + "\n"));
    }

    [Test]
    public void Undefine_Virsh_GoneFromListAndStore()
    {
        Run("define", _xmlFile);
        Assert.That(Run("undefine", "a").Trim(), Is.EqualTo("Domain 'a' has been undefined"));
        Assert.That(Run("list", "--all"), Does.Not.Contain(" a "));
        Assert.That(_f.Manager.Manager.List(), Is.Empty);
    }

    [Test]
    public void Autostart_Virsh_SetAndShownByDominfo()
    {
        Run("define", _xmlFile);
        Assert.That(Run("autostart", "a").Trim(), Is.EqualTo("Domain 'a' marked as autostarted"));
        Assert.That(_f.Manager.Manager.LookupByName("a").Autostart, Is.True);
        Assert.That(Run("dominfo", "a"), Does.Contain("Autostart:      enable\n"));
    }

    [Test]
    public void StartSuspendResumeDestroy_Virsh_StatesAndReasons()
    {
        Run("define", _xmlFile);
        Assert.That(Run("start", "a").Trim(), Is.EqualTo("Domain 'a' started"));
        Assert.That(Run("domstate", "--reason", "a").Trim(), Is.EqualTo("running (booted)"));
        Assert.That(Run("list"), Does.Match(@"\n 1\s+a\s+running\n"));
        Assert.That(Run("suspend", "a").Trim(), Is.EqualTo("Domain 'a' suspended"));
        Assert.That(Run("domstate", "--reason", "a").Trim(), Is.EqualTo("paused (user)"));
        Assert.That(Run("resume", "a").Trim(), Is.EqualTo("Domain 'a' resumed"));
        Assert.That(Run("destroy", "a").Trim(), Is.EqualTo("Domain 'a' destroyed"));
        Assert.That(Run("domstate", "--reason", "a").Trim(), Is.EqualTo("shut off (destroyed)"));
    }

    [Test]
    public void HostCommands_Virsh_UriCapabilitiesDomcapabilitiesNodeinfo()
    {
        Assert.That(Run("uri").Trim(), Is.EqualTo(_f.Uri));
        Assert.That(Run("capabilities"), Does.StartWith("<capabilities>\n  <host>\n"));
        Assert.That(Run("domcapabilities"), Does.StartWith("<domainCapabilities>\n"));
        string nodeinfo = Run("nodeinfo");
        Assert.That(nodeinfo, Does.Match(@"CPU model:\s+x86_64\n"));
        Assert.That(nodeinfo, Does.Match($@"CPU\(s\):\s+{Environment.ProcessorCount}\n"));
    }

    [Test]
    public void RunningCommands_Virsh_StartPausedShutdownRebootReset()
    {
        Run("define", _xmlFile);
        Assert.That(Run("start", "--paused", "a").Trim(), Is.EqualTo("Domain 'a' started"));
        Assert.That(Run("domstate", "--reason", "a").Trim(), Is.EqualTo("paused (user)"));
        Run("resume", "a");
        Assert.That(Run("reboot", "a").Trim(), Is.EqualTo("Domain 'a' is being rebooted"));
        Assert.That(Run("reset", "a").Trim(), Is.EqualTo("Domain 'a' was reset"));
        Assert.That(Run("shutdown", "a").Trim(), Is.EqualTo("Domain 'a' is being shutdown"));
        Run("destroy", "a");
    }

    [Test]
    public void DefinitionCommands_Virsh_DescMetadataDomrename()
    {
        Run("define", _xmlFile);
        Assert.That(Run("desc", "a", "a test guest").Trim(), Is.EqualTo("Domain description updated successfully"));
        Assert.That(Run("desc", "a").Trim(), Is.EqualTo("a test guest"));
        Assert.That(Run("metadata", "a", "http://example.org/t", "--key", "t", "--set", "<v/>").Trim(), Is.EqualTo("Metadata modified"));
        Assert.That(Run("metadata", "a", "http://example.org/t").Trim(), Is.EqualTo("<v/>"), "without its namespace, as libvirt gives it");
        Assert.That(Run("domrename", "a", "b").Trim(), Is.EqualTo("Domain successfully renamed"));
        Assert.That(_f.Manager.Manager.LookupByName("b").Uuid, Is.EqualTo(TestDomains.UuidOf("a")));
    }

    [Test]
    public void Domstats_Virsh_StateBalloonVcpuBlock()
    {
        Run("define", _xmlFile);
        Assert.That(Run("domstats", "a"), Is.EqualTo(
            "Domain: 'a'\n  state.state=5\n  state.reason=0\n  balloon.current=131072\n  balloon.maximum=131072\n"
            + "  vcpu.current=1\n  vcpu.maximum=1\n  block.count=0\n\n"));
    }

    [Test]
    public void Domblklist_DiskAndInterface_ListedFromTheXml()
    {
        File.WriteAllText(_xmlFile, TestDomains.Xml("a").Replace("<serial type='null'/>", """
            <disk type='file' device='disk'><source file='/var/lib/kvmd/a.img'/><target dev='vda' bus='virtio'/></disk>
            <interface type='network'><mac address='52:54:00:12:34:56'/><source network='default'/><model type='virtio'/></interface>
            """, StringComparison.Ordinal));
        Run("define", _xmlFile);
        Assert.That(Run("domblklist", "a"), Does.Match(@"\n vda\s+/var/lib/kvmd/a.img\n"));
        Assert.That(Run("domiflist", "a"), Does.Match(@"\n -\s+network\s+default\s+virtio\s+52:54:00:12:34:56\n"));
    }

    /// <summary>
    /// The socket path libvirt's client picks for plain qemu:///session (a non-root user: $XDG_RUNTIME_DIR/libvirt/virtqemud-sock,
    /// which RpcServerOptions.Default gives). Runs virsh as the user nobody; the server runs as root here, so the runtime
    /// directory and socket are handed to nobody as a user's own would be. Ignored where that is not possible.
    /// </summary>
    [Test]
    public async Task Version_PlainSessionUriAsUnprivilegedUser_ReachesDefaultSocket()
    {
        const string runuser = "/usr/sbin/runuser";
        ExternalTool.Require(runuser, "util-linux");
        if (Environment.UserName != "root")
        {
            Assert.Ignore("Needs root, to run virsh as another user (nobody)");
        }
        string xdg = Path.Combine(Path.GetTempPath(), $"rpc-xdg-{Environment.ProcessId}");
        Directory.CreateDirectory(Path.Combine(xdg, "libvirt"));
        try
        {
            File.SetUnixFileMode(xdg, (UnixFileMode)0b111_111_111);
            File.SetUnixFileMode(Path.Combine(xdg, "libvirt"), (UnixFileMode)0b111_111_111);
            string saved = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") ?? "";
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", xdg);
            string socket = Kvm.Driver.Rpc.RpcServerOptions.Default(system: false).SocketPath;
            Environment.SetEnvironmentVariable("XDG_RUNTIME_DIR", saved.Length == 0 ? null : saved);
            await using RpcFixture session = await RpcFixture.StartAsync(socketPath: socket);
            File.SetUnixFileMode(socket, (UnixFileMode)0b110_110_110);
            (int exit, string stdout, string stderr) = ExternalTool.Run(null, runuser, "-u", "nobody", "--", "env", $"XDG_RUNTIME_DIR={xdg}", "HOME=/tmp",
                Virsh, "-c", "qemu:///session", "version");
            Assert.That(exit, Is.Zero, stderr);
            Assert.That(stdout, Does.Contain("Running hypervisor: QEMU 7.2.0"));
        }
        finally
        {
            Directory.Delete(xdg, recursive: true);
        }
    }

    /// <summary>
    /// The system instance's rule on its read-write socket (file mode and group, then SO_PEERCRED: root and the access group) and its read-only
    /// socket (anyone, reads only), with virsh run as root and as the user nobody (in no such group). Needs root.
    /// </summary>
    [Test]
    public async Task SystemSockets_RootAndNobody_PeerCredentialsDecide()
    {
        const string runuser = "/usr/sbin/runuser";
        ExternalTool.Require(runuser, "util-linux");
        if (Environment.UserName != "root")
        {
            Assert.Ignore("Needs root, to run virsh as another user (nobody)");
        }
        string directory = Path.Combine(Path.GetTempPath(), $"rpc-system-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        try
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
            string rw = Path.Combine(directory, "virtqemud-sock"), ro = Path.Combine(directory, "virtqemud-sock-ro");
            await using RpcFixture system = await RpcFixture.StartAsync(socketPath: rw, readOnlySocketPath: ro, accessGroup: "kvmd-test-no-such-group");
            system.Manager.Manager.Define(TestDomains.Xml("a"));
            (int Exit, string Stdout, string Stderr) AsNobody(string socket, params string[] args) =>
                ExternalTool.Run(null, runuser, ["-u", "nobody", "--", "env", "HOME=/tmp", Virsh, "-c", "qemu:///system?socket=" + socket, .. args]);

            (int exit, _, string stderr) = AsNobody(rw, "list", "--all");
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(stderr, Does.Contain("Permission denied"), "no such group: the socket is root's alone (0600)");
            File.SetUnixFileMode(rw, (UnixFileMode)0b110_110_110); // opened up by mistake: the peer's credentials still decide
            (exit, _, stderr) = AsNobody(rw, "list", "--all");
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(stderr, Does.Contain("error: failed to connect to the hypervisor").And.Not.Contain("Permission denied"));
            (exit, string stdout, stderr) = AsNobody(ro, "list", "--all");
            Assert.That(exit, Is.Zero, stderr);
            Assert.That(stdout, Does.Match(@"\n -\s+a\s+shut off\n"));
            (exit, _, stderr) = AsNobody(ro, "undefine", "a");
            Assert.That(stderr, Does.Contain("error: operation forbidden: read only access prevents virDomainUndefine"));
            Assert.That(RunRaw("qemu:///system?socket=" + rw, "undefine", "a").Exit, Is.Zero, "root may change");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void Start_UnknownDomain_LibvirtsError()
    {
        (int exit, _, string stderr) = RunRaw(_f.Uri, "start", "nosuch");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("error: failed to get domain 'nosuch'"));
    }

    [Test]
    public void Memtune_Virsh_NotSupportedAsVirtqemudWordsIt()
    {
        Run("define", _xmlFile);
        (int exit, _, string stderr) = RunRaw(_f.Uri, "memtune", "a");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("error: this function is not supported by the connection driver: virDomainGetMemoryParameters\n"));
    }

    [Test]
    public void Schedinfo_Virsh_PosixWithoutParameters()
    {
        Run("define", _xmlFile);
        (int exit, string stdout, string stderr) = RunRaw(_f.Uri, "schedinfo", "a");
        Assert.That(stdout, Does.StartWith("Scheduler      : posix\n"));
        // virsh's schedinfo ends with status 1 and no message when a scheduler has no parameters (kvmd has no cgroup tunables yet).
        Assert.That((exit, stderr), Is.EqualTo((1, "")));
    }

    [Test]
    public void Define_ReadOnlySocket_OperationForbidden()
    {
        (int exit, _, string stderr) = RunRaw(_f.ReadOnlyUri, "define", _xmlFile);
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("error: operation forbidden: read only access prevents virDomainDefineXML\n"));
        Assert.That(_f.Manager.Manager.List(), Is.Empty);
        Assert.That(RunRaw(_f.ReadOnlyUri, "list", "--all").Exit, Is.Zero, "reading is allowed");
    }

    [Test]
    public void DumpxmlSecurityInfo_ReadOnlySocket_ForbiddenPlainDumpxmlAllowed()
    {
        Run("define", _xmlFile);
        (int exit, _, string stderr) = RunRaw(_f.ReadOnlyUri, "dumpxml", "--security-info", "a");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("error: operation forbidden: virDomainGetXMLDesc with secure flag\n"));
        Assert.That(RunRaw(_f.ReadOnlyUri, "dumpxml", "a").Exit, Is.Zero);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Event_VirshLoop_SeesDefineStartResetDestroyUndefine(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Virsh) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "-c", _f.Uri, "event", "--all", "--loop", "--timeout", "30" })
        {
            start.ArgumentList.Add(arg);
        }
        using Process events = Process.Start(start)!;
        Task<string> output = events.StandardOutput.ReadToEndAsync(cancellationToken);
        // virsh registers its callbacks (one per event id) after it connects: wait until they reach the server.
        while (_f.Server.RegisteredCallbacks < 20)
        {
            await Task.Delay(50, cancellationToken);
        }
        Run("define", _xmlFile);
        Run("start", "a");
        Run("reset", "a"); // the VMM's RESET is libvirt's reboot event (a monitor-only VMM has no guest to answer the power button of "reboot")
        Assert.That(await _f.Manager.WaitForEventsAsync(TestDomains.UuidOf("a"), "reboot"), Is.True, "the driver core saw the reset");
        Run("destroy", "a");
        Run("undefine", "a");
        await Task.Delay(500, cancellationToken);
        events.Kill();
        string text = await output;
        Assert.That(text.Replace("event 'reboot' for domain 'a'\n", "", StringComparison.Ordinal), Does.Contain(
            "event 'lifecycle' for domain 'a': Defined Added\n"
            + "event 'lifecycle' for domain 'a': Started Booted\n"
            + "event 'lifecycle' for domain 'a': Stopped Destroyed\n"
            + "event 'lifecycle' for domain 'a': Undefined Removed\n"));
        Assert.That(text, Does.Contain("event 'reboot' for domain 'a'\n"));
    }

    private string Run(params string[] args)
    {
        (int exit, string stdout, string stderr) = RunRaw(_f.Uri, args);
        Assert.That(exit, Is.Zero, $"virsh {string.Join(' ', args)}: {stderr}");
        return stdout;
    }

    private static (int Exit, string Stdout, string Stderr) RunRaw(string uri, params string[] args) =>
        ExternalTool.Run(null, Virsh, ["-c", uri, .. args]);
}
