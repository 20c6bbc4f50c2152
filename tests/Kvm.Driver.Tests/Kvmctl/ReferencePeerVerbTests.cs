using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Kvmctl;

/// <summary>
/// kvmctl against the real libvirt-dbus serving test:///default, compared byte for byte with virsh on
/// test:///default: the same commands give the same stdout, the same stderr and the same exit code. Each case gets
/// a fresh peer (fresh test driver state); virsh runs the commands of a case in one process, joined by ';'.
/// </summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(120_000)]
public sealed class ReferencePeerVerbTests
{
    private PrivateBus? _bus;
    private ReferencePeer? _peer;

    public static string MinimalDomainXml { get; } =
        Path.GetFullPath(Path.Combine(Executable.RepositoryRoot, "..", "shared", "corpus", "libvirt-dbus", "tests-xmldata", "minimal_domain_xml.xml"));

    public static IEnumerable<TestCaseData> Cases()
    {
        static TestCaseData Case(params string[] commands) => new TestCaseData((object)commands).SetArgDisplayNames(string.Join(" ; ", commands));
        yield return Case("list");
        yield return Case("list --all");
        yield return Case("list --inactive");
        yield return Case("list --name");
        yield return Case("list --uuid");
        yield return Case("list --all --uuid --name");
        yield return Case("domstate test");
        yield return Case("domstate --reason test");
        yield return Case("domstate 1");
        yield return Case("domstate 6695eb01-f6a4-8304-79aa-97f2502e193f");
        yield return Case("dumpxml test");
        yield return Case("dumpxml --inactive test");
        yield return Case("dumpxml --security-info test");
        yield return Case("domid test");
        yield return Case("domname 1");
        yield return Case("domuuid test");
        yield return Case("domuuid 1");
        yield return Case("domid nosuch");
        yield return Case("dominfo nosuch");
        yield return Case("start test");
        yield return Case("resume test");
        yield return Case("suspend test", "list --all", "domstate --reason test", "resume test", "domstate --reason test");
        yield return Case("destroy test", "domstate --reason test", "list --all", "start test", "list");
        yield return Case("shutdown test", "domstate --reason test");
        yield return Case("reboot test");
        yield return Case("reset test");
        yield return Case("autostart test", "autostart --disable test");
        yield return Case("undefine test", "list --all", "destroy test", "list --all");
        yield return Case("define {FILE}", "list --all", "domstate --reason foo", "start foo", "list --all", "suspend foo",
            "list --all", "destroy foo", "undefine foo", "list --all");
        yield return Case("create {FILE}", "list --all", "domstate --reason foo", "destroy foo", "list --all");
        yield return Case("define /nonexistent/domain.xml");
        yield return Case("domblklist test");
        yield return Case("domblklist --details test");
        yield return Case("domblklist --inactive test");
        yield return Case("domblklist nosuch");
    }

    [SetUp]
    public async Task StartPeerAsync()
    {
        ReferencePeer.Require();
        _bus = PrivateBus.Start();
        _peer = await ReferencePeer.StartAsync(_bus.Address);
    }

    [TearDown]
    public async Task StopPeerAsync()
    {
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }
        _bus?.Dispose();
    }

    [TestCaseSource(nameof(Cases))]
    public void Verbs_SameCommands_SameOutputAsVirsh(string[] commands)
    {
        if (!File.Exists(MinimalDomainXml))
        {
            Assert.Ignore($"{MinimalDomainXml} is missing: the shared corpus is not beside this clone");
        }
        string[] resolved = commands.Select(c => c.Replace("{FILE}", MinimalDomainXml, StringComparison.Ordinal)).ToArray();
        Executable.Result virsh = KvmctlProcess.VirshTest(resolved);

        string stdout = "", stderr = "";
        int exit = 0;
        foreach (string command in resolved)
        {
            Executable.Result ours = Kvmctl(command.Split(' '));
            (stdout, stderr, exit) = (stdout + ours.Stdout, stderr + ours.Stderr, ours.ExitCode);
        }

        Assert.That(stdout, Is.EqualTo(virsh.Stdout), "stdout; kvmctl's stderr: " + stderr);
        Assert.That(stderr, Is.EqualTo(virsh.Stderr), "stderr");
        Assert.That(exit, Is.EqualTo(virsh.ExitCode), "exit code of the last command");
    }

    [Test]
    public void Dominfo_TestDomain_SameAsVirshBarCpuTimeAndSecurityLabel()
    {
        // Through D-Bus the test driver gives neither cpu.time (its GetStats has the state group only) nor a security
        // label (libvirt-dbus has GetSecurityLabelList, which the test driver lacks): virsh's other lines are expected as they are.
        string expected = string.Concat(KvmctlProcess.VirshTest("dominfo test").Stdout.Split('\n')
            .Where(line => !line.StartsWith("CPU time:", StringComparison.Ordinal) && !line.StartsWith("Security label:", StringComparison.Ordinal))
            .Select(line => line + "\n"))[..^1];

        Executable.Result result = Kvmctl("dominfo", "test");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Is.EqualTo(expected));
        Assert.That(result.Stdout, Does.StartWith("Id:             1\nName:           test\nUUID:           6695eb01-f6a4-8304-79aa-97f2502e193f\n"));
    }

    [Test]
    public void List_Quiet_NoHeaderNoTrailingLine()
    {
        Executable.Result result = Kvmctl("list", "--all", "-q");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Is.EqualTo(" 1   test   running\n"));
    }

    [Test]
    public void Console_DomainWithoutPtySerial_SaysSo()
    {
        Executable.Result result = Kvmctl("console", "test");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stderr, Is.EqualTo("error: Domain 'test' has no serial console of type pty\n"));
    }

    [Test]
    public void Version_TestDriver_PrintsLibraryAndHypervisorVersions()
    {
        Executable.Result result = Kvmctl("version");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Does.Match(@"^Using library: libvirt \d+\.\d+\.\d+\nRunning hypervisor: TEST 0\.0\.2\n\n$"));
    }

    private Executable.Result Kvmctl(params string[] args) => KvmctlProcess.Kvmctl(_bus!.Address, ReferencePeer.ConnectPath, args);
}
