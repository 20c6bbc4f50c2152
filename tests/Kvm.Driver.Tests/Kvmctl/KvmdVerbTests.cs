using System.Diagnostics;
using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Kvmctl;

/// <summary>
/// kvmctl against the real kvmd (<c>--session</c> on a private dbus-daemon, state and runtime in temporary
/// directories): what virsh prints for the same operations on libvirt's QEMU driver. No /dev/kvm here, so start fails
/// with the daemon's reason.
/// </summary>
[TestFixture]
[Category("DBusDaemon")]
[CancelAfter(120_000)]
public sealed class KvmdVerbTests
{
    private const string Name = "minimal-linux";
    private PrivateBus? _bus;
    private Process? _kvmd;
    private string _directory = null!;

    private static string Sample => Path.Combine(Executable.RepositoryRoot, "xml-samples", "minimal-linux.xml");

    [SetUp]
    public async Task StartKvmdAsync()
    {
        _bus = PrivateBus.Start();
        _directory = Directory.CreateTempSubdirectory("kvmctl-kvmd-").FullName;
        _kvmd = await BusDaemonProcess.StartAsync(Executable.Kvmd.Path, _bus.Address, TimeSpan.FromSeconds(15),
            ["--session", "--state-dir", Path.Combine(_directory, "state"), "--runtime-dir", Path.Combine(_directory, "run"),
                "--rpc-socket", Path.Combine(_directory, "virtqemud-sock")]);
    }

    [TearDown]
    public void StopKvmd()
    {
        KillKvmd();
        _bus?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Verbs_StartAndCreatePaused_PausedByTheUserUntilResumed()
    {
        // kvmd again, with "kvm-vmm --machine none" (a real monitor without a VM) as its VMM, so that starts succeed here.
        KillKvmd();
        string vmm = Path.Combine(_directory, "monitor-only-vmm");
        File.WriteAllText(vmm, $"#!/bin/sh\nexec '{Executable.KvmVmm.Path}' --machine none \"$@\"\n");
        File.SetUnixFileMode(vmm, (UnixFileMode)0b111_101_101);
        _kvmd = await BusDaemonProcess.StartAsync(Executable.Kvmd.Path, _bus!.Address, TimeSpan.FromSeconds(15),
            ["--session", "--state-dir", Path.Combine(_directory, "state"), "--runtime-dir", Path.Combine(_directory, "run"), "--vmm", vmm,
                "--rpc-socket", Path.Combine(_directory, "virtqemud-sock")]);

        Expect(Kvmctl("define", Sample), 0, $"Domain '{Name}' defined from {Sample}\n\n");
        Expect(Kvmctl("start", "--paused", Name), 0, $"Domain '{Name}' started\n\n");
        Expect(Kvmctl("domstate", "--reason", Name), 0, "paused (user)\n\n");
        Expect(Kvmctl("resume", Name), 0, $"Domain '{Name}' resumed\n\n");
        Expect(Kvmctl("domstate", "--reason", Name), 0, "running (unpaused)\n\n");
        Expect(Kvmctl("destroy", Name), 0, $"Domain '{Name}' destroyed\n\n");
        Expect(Kvmctl("undefine", Name), 0, $"Domain '{Name}' has been undefined\n\n");

        Expect(Kvmctl("create", "--paused", Sample), 0, $"Domain '{Name}' created from {Sample}\n\n");
        Expect(Kvmctl("domstate", "--reason", Name), 0, "paused (user)\n\n");
        Expect(Kvmctl("destroy", Name), 0, $"Domain '{Name}' destroyed\n\n");
    }

    private void KillKvmd()
    {
        if (_kvmd is not null)
        {
            try
            {
                _kvmd.Kill();
                _kvmd.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
            _kvmd.Dispose();
            _kvmd = null;
        }
    }

    [Test]
    public void Verbs_DefineListDumpxmlDominfoAutostartStartUndefine_AsVirshPrintsThem()
    {
        Expect(Kvmctl("define", Sample), 0, $"Domain '{Name}' defined from {Sample}\n\n");
        Expect(Kvmctl("list", "--all"), 0,
            " Id   Name            State\n" +
            "--------------------------------\n" +
            " -    minimal-linux   shut off\n\n");
        Expect(Kvmctl("list"), 0, " Id   Name   State\n--------------------\n\n");
        Expect(Kvmctl("list", "--inactive", "--name"), 0, "minimal-linux\n\n");

        Executable.Result xml = Kvmctl("dumpxml", Name);
        Assert.That(xml.ExitCode, Is.EqualTo(0), xml.Stderr);
        Assert.That(xml.Stdout, Does.StartWith("<domain type='kvm'>\n  <name>minimal-linux</name>\n  <uuid>6a1f3c2e-5b7d-4e8a-9c0f-1d2e3f4a5b6c</uuid>\n"));
        Assert.That(xml.Stdout, Does.EndWith("</domain>\n\n"));

        string info =
            "Id:             -\n" +
            "Name:           minimal-linux\n" +
            "UUID:           6a1f3c2e-5b7d-4e8a-9c0f-1d2e3f4a5b6c\n" +
            "OS Type:        hvm\n" +
            "State:          shut off\n" +
            "CPU(s):         1\n" +
            "Max memory:     262144 KiB\n" +
            "Used memory:    262144 KiB\n" +
            "Persistent:     yes\n" +
            "Autostart:      {0}\n" +
            "Managed save:   unknown\n\n";
        Expect(Kvmctl("dominfo", Name), 0, string.Format(info, "disable"));
        Expect(Kvmctl("autostart", Name), 0, $"Domain '{Name}' marked as autostarted\n\n");
        Expect(Kvmctl("dominfo", "6a1f3c2e-5b7d-4e8a-9c0f-1d2e3f4a5b6c"), 0, string.Format(info, "enable"));
        Expect(Kvmctl("autostart", "--disable", Name), 0, $"Domain '{Name}' unmarked as autostarted\n\n");

        Executable.Result start = Kvmctl("start", Name);
        Assert.That(start.ExitCode, Is.EqualTo(1));
        Assert.That(start.Stdout, Is.EqualTo("\n"));
        string[] errors = start.Stderr.Split('\n');
        Assert.That(errors, Has.Length.EqualTo(3), start.Stderr);
        Assert.That(errors[0], Is.EqualTo($"error: Failed to start domain '{Name}'"));
        Assert.That(errors[1], Does.StartWith("error: ").And.Length.GreaterThan("error: ".Length + 5));
        Expect(Kvmctl("domstate", "--reason", Name), 0, "shut off (failed)\n\n");
        Expect(Kvmctl("console", Name), 1, "\n", "error: The domain is not running\n");

        Expect(Kvmctl("undefine", Name), 0, $"Domain '{Name}' has been undefined\n\n");
        Expect(Kvmctl("list", "--all"), 0, " Id   Name   State\n--------------------\n\n");
    }

    [Test]
    public void Verbs_UnknownDomainAndBadXml_VirshErrors()
    {
        Expect(Kvmctl("dominfo", "nosuch"), 1, "\n", "error: failed to get domain 'nosuch'\n");
        Expect(Kvmctl("destroy", "6a1f3c2e-5b7d-4e8a-9c0f-1d2e3f4a5b6c"), 1, "\n",
            "error: failed to get domain '6a1f3c2e-5b7d-4e8a-9c0f-1d2e3f4a5b6c'\n");

        string bad = Path.Combine(_directory, "bad.xml");
        File.WriteAllText(bad, "<domain type='kvm'><name>x</name><memory unit='furlongs'>1</memory></domain>");
        Executable.Result result = Kvmctl("define", bad);
        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stderr, Does.StartWith($"error: Failed to define domain from {bad}\nerror: "));
        Assert.That(result.Stderr, Does.Contain("furlongs"));
    }

    [Test]
    public void Verbs_ByIdOnInactive_NotFoundAndDomidDash()
    {
        Expect(Kvmctl("define", Sample), 0, $"Domain '{Name}' defined from {Sample}\n\n");

        Expect(Kvmctl("domid", Name), 0, "-\n\n");
        Expect(Kvmctl("domuuid", Name), 0, "6a1f3c2e-5b7d-4e8a-9c0f-1d2e3f4a5b6c\n\n");
        Expect(Kvmctl("domname", "6a1f3c2e-5b7d-4e8a-9c0f-1d2e3f4a5b6c"), 0, Name + "\n\n");
        Expect(Kvmctl("domname", "1"), 1, "\n", "error: failed to get domain '1'\n");
    }

    private Executable.Result Kvmctl(params string[] args) => KvmctlProcess.Kvmctl(_bus!.Address, null, args);

    private static void Expect(Executable.Result result, int exitCode, string stdout, string stderr = "")
    {
        Assert.That(result.Stdout, Is.EqualTo(stdout), "stdout; stderr: " + result.Stderr);
        Assert.That(result.Stderr, Is.EqualTo(stderr), "stderr");
        Assert.That(result.ExitCode, Is.EqualTo(exitCode));
    }
}
