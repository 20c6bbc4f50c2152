using Kvm.Driver.Rpc;
using Kvm.Driver.Tests.Api;
using Kvm.Driver.Tests.Consoles;
using Kvm.Driver.Tests.Domains;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>
/// Debian's virsh console against kvmd's RPC front end, through a pseudo-terminal (virsh_console.py): on a real pty
/// whose guest side the test plays (it answers each line), and on a shut-off domain of the real driver core.
/// The same script runs against a real guest in <see cref="EndToEnd.KvmdConsoleTests"/>.
/// </summary>
[CancelAfter(180_000)]
public sealed class VirshConsoleTests
{
    private const string Virsh = "/usr/bin/virsh";

    [SetUp]
    public void SetUp() => ExternalTool.Require(Virsh, "libvirt-clients");

    [Test]
    public async Task Console_TypedLineAndForceTakeover_AnsweredAndFirstClientCutOff()
    {
        string directory = Directory.CreateTempSubdirectory("virsh-console-").FullName;
        using var pty = new TestPty();
        var manager = new FakeDomainManager { ConsolePty = pty.SlavePath };
        await using RpcServer server = RpcServer.Start(manager, new RpcServerOptions { SocketPath = Path.Combine(directory, "sock"), Uri = "qemu:///session" });
        using var stop = new CancellationTokenSource();
        Task guest = Task.Run(() => AnswerEachLine(pty, stop.Token));
        try
        {
            (int exit, string stdout, string stderr) = ExternalTool.Run(null, TimeSpan.FromMinutes(2), ExternalTool.Python,
                [Path.Combine(AppContext.BaseDirectory, "Rpc", "virsh_console.py"), "qemu:///session?socket=" + server.Options.SocketPath, "test", "ping", "pong", "30"]);
            Assert.That((exit, stdout.TrimEnd().Split('\n')[^1]), Is.EqualTo((0, "ok")), stdout + stderr);
            Assert.That(stdout, Does.Contain("A ended: error: stream had I/O failure"), "the evicted virsh reports the aborted stream");
        }
        finally
        {
            await stop.CancelAsync();
            await guest;
            Directory.Delete(directory, recursive: true);
        }
        Assert.That(server.FailedCalls + server.FailedClients, Is.Zero);
    }

    [Test]
    public async Task Console_ShutOffDomain_VirshsNotRunningAndLibvirtsErrorFromTheCore()
    {
        await using RpcFixture f = await RpcFixture.StartAsync();
        string xml = Path.Combine(f.Manager.Root, "a.xml");
        File.WriteAllText(xml, TestDomains.Xml("a"));
        Assert.That(ExternalTool.Run(null, Virsh, "-c", f.Uri, "define", xml).Exit, Is.Zero);

        (int exit, _, string stderr) = ExternalTool.Run(null, Virsh, "-c", f.Uri, "console", "a");
        Assert.That((exit, stderr.Trim()), Is.EqualTo((1, "error: The domain is not running")), "virsh checks the state itself, as against libvirtd");

        ExternalTool.RequirePythonLibvirt();
        (exit, string stdout, stderr) = ExternalTool.Run(null, ExternalTool.Python, "-c", $"""
            import libvirt
            c = libvirt.open("{f.Uri}")
            try:
                c.lookupByName("a").openConsole(None, c.newStream(0), 0)
            except libvirt.libvirtError as e:
                print(e.get_error_code(), e.get_error_domain(), e)
            """);
        Assert.That(stdout.Trim(), Is.EqualTo("55 20 Requested operation is not valid: domain is not running"), stderr);
    }

    /// <summary>The guest's side: answers "pong" to each carriage return it is sent.</summary>
    private static void AnswerEachLine(TestPty pty, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            string typed = pty.GuestReads(1, TimeSpan.FromMilliseconds(200));
            foreach (char c in typed)
            {
                if (c == '\r')
                {
                    pty.GuestWrites("\r\npong\r\n");
                }
            }
        }
    }
}
