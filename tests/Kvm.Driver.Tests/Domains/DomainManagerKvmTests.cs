using Kvm.Driver.Domains;
using Kvm.Vmm.Tests;
using NUnit.Framework;

namespace Kvm.Driver.Tests.Domains;

/// <summary>The lifecycle end to end with a real guest on /dev/kvm (run inside tools/nested-kvm/nested-kvm.sh).</summary>
[Category("Kvm")]
[CancelAfter(900_000)]
public sealed class DomainManagerKvmTests
{
    private static readonly CancellationToken s_none = CancellationToken.None;
    private static readonly TimeSpan s_boot = TimeSpan.FromMinutes(5);
    private ManagerFixture _f = null!;

    [SetUp]
    public async Task SetUp()
    {
        if (!File.Exists("/dev/kvm") || GuestImages.KernelPath() is null)
        {
            Assert.Ignore("needs /dev/kvm and KVM_NESTED_KERNEL: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        // Everything is emulated in the nested-KVM guest: kvm-vmm takes many seconds to start there.
        _f = new ManagerFixture(Executable.KvmVmm.Path, connectTimeout: TimeSpan.FromMinutes(4));
        await _f.Manager.InitializeAsync(s_none);
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_f is not null)
        {
            await _f.DisposeAsync();
        }
    }

    [EmulatorRetry]
    [Test]
    public async Task Lifecycle_DefineStartSuspendResumeGuestPoweroffStartDestroyUndefine()
    {
        string xml = GuestXml("nested-life", "sleep 20; /bin/busybox poweroff -f");
        var uuid = _f.Manager.Define(xml).Uuid;
        await _f.Manager.StartAsync(uuid, s_none);
        Assert.That(_f.Manager.LookupByUuid(uuid).State, Is.EqualTo(DomainState.Running));

        // Suspend once the guest is in /init: a stop/cont in the middle of its early boot sometimes makes the
        // emulated-nested guest reset or stall (a known gap, in the closing note), which is not what this test is about.
        string console = Path.Combine(_f.Root, "nested-life.console");
        Assert.That(await WaitForCountAsync(console, GuestImages.Marker, 1), Is.True, Diagnostics(uuid, console));
        await _f.Manager.SuspendAsync(uuid, s_none);
        Assert.That((_f.Manager.LookupByUuid(uuid).State, _f.Manager.LookupByUuid(uuid).Reason), Is.EqualTo((DomainState.Paused, 1)));
        await _f.Manager.ResumeAsync(uuid, s_none);
        Assert.That(await _f.WaitForEventsAsync(uuid, "5/0", s_boot), Is.True, "guest poweroff: " + Diagnostics(uuid, console));
        var off = _f.Manager.LookupByUuid(uuid);
        Assert.That((off.State, off.Reason, off.Id), Is.EqualTo((DomainState.Shutoff, 1, -1)));
        Assert.That(_f.EventsOf(uuid), Does.StartWith("0/0 2/0 3/0 4/0 6/1 5/0"));

        await _f.Manager.StartAsync(uuid, s_none);
        Assert.That(_f.Manager.LookupByUuid(uuid).Id, Is.EqualTo(2));
        await _f.Manager.DestroyAsync(uuid, s_none);
        Assert.That((_f.Manager.LookupByUuid(uuid).State, _f.Manager.LookupByUuid(uuid).Reason), Is.EqualTo((DomainState.Shutoff, 2)));
        _f.Manager.Undefine(uuid, 0);
        Assert.That(await _f.WaitForEventsAsync(uuid, "2/0 5/1 1/0"), Is.True, _f.EventsOf(uuid));
        Assert.That(_f.RuntimeFiles(), Is.Empty);
    }

    [EmulatorRetry]
    [Test]
    public async Task Restart_WhileAGuestRuns_ReattachesAndControlsIt()
    {
        var uuid = _f.Manager.Define(GuestXml("nested-reattach", "sleep 600")).Uuid;
        await _f.Manager.StartAsync(uuid, s_none);
        await _f.RestartAsync();
        Assert.That(_f.Manager.LookupByUuid(uuid).State, Is.EqualTo(DomainState.Running));
        await _f.Manager.SuspendAsync(uuid, s_none);
        await _f.Manager.ResumeAsync(uuid, s_none);
        await _f.Manager.DestroyAsync(uuid, s_none);
        Assert.That(await _f.WaitForEventsAsync(uuid, "3/0 4/0 5/1"), Is.True, _f.EventsOf(uuid));
    }

    [EmulatorRetry]
    [Test]
    public async Task Shutdown_PtyConsole_LiveXmlNamesThePtyAndThePowerButtonStopsTheGuest()
    {
        if (GuestImages.ModulesPath() is null)
        {
            Assert.Ignore("needs KVM_NESTED_MODULES (the guest's button.ko and evdev.ko), which the nested-KVM harness provides");
        }

        string xml = GuestXml("nested-pty", GuestImages.WaitForPowerButton).Replace(
            $"<serial type='file'><source path='{Path.Combine(_f.Root, "nested-pty.console")}'/></serial>",
            "<serial type='pty'/><console type='pty'/>", StringComparison.Ordinal).Replace(" nomodule", string.Empty, StringComparison.Ordinal);
        var uuid = _f.Manager.Define(xml).Uuid;
        await _f.Manager.StartAsync(uuid, paused: true, s_none);

        // As libvirt: the live XML names the pty the serial port got, and a console reads the guest from it.
        string live = _f.Manager.GetXmlDesc(uuid, DomainXmlFlags.None);
        var match = System.Text.RegularExpressions.Regex.Match(live, "<source path='(/dev/pts/[0-9]+)'/>");
        Assert.That(match.Success, Is.True, live);
        Assert.That(live, Does.Contain($"<console type='pty' tty='{match.Groups[1].Value}'>"));
        using var pty = new FileStream(match.Groups[1].Value, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1, useAsync: false);
        await _f.Manager.ResumeAsync(uuid, s_none); // the console is open before the guest runs: a pty keeps nothing for an absent reader
        var console = new System.Text.StringBuilder();
        string Text()
        {
            lock (console)
            {
                return console.ToString();
            }
        }

        var ready = Task.Run(() =>
        {
            var buffer = new byte[4096];
            while (!Text().Contains(GuestImages.PowerButtonReady, StringComparison.Ordinal))
            {
                int n;
                try
                {
                    n = pty.Read(buffer);
                }
                catch (IOException)
                {
                    return false; // EIO: kvm-vmm closed the pty (the VM ended)
                }

                if (n <= 0)
                {
                    return false;
                }

                lock (console)
                {
                    console.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
                }
            }

            return true;
        });
        bool reached = await Task.WhenAny(ready, Task.Delay(s_boot)) == ready && await ready;
        Assert.That(reached, Is.True, "the guest did not get ready (its pty closed or time ran out); console: " + Text() + "\nevents: " + _f.EventsOf(uuid));

        await _f.Manager.ShutdownAsync(uuid, s_none);
        bool stopped = await _f.WaitForEventsAsync(uuid, "5/0", s_boot);
        if (!stopped)
        {
            string log = Path.Combine(_f.Options.RuntimeDirectory, "nested-pty.log");
            Assert.Fail($"shutdown through the power button: {_f.EventsOf(uuid)}\nconsole: {Text()}\nlog: {(File.Exists(log) ? File.ReadAllText(log) : "(none)")}");
        }

        var off = _f.Manager.LookupByUuid(uuid);
        Assert.That((off.State, off.Reason), Is.EqualTo((DomainState.Shutoff, 1)));
    }

    /// <summary>
    /// Reboot as libvirt's default: the guest hears the power button and powers off, kvmd resets it and it boots again;
    /// the domain stays running and clients see only the Reboot signal. The Shutdown after it really powers it off, so
    /// the VMM's power-off action was given back.
    /// </summary>
    [EmulatorRetry]
    [Test]
    public async Task Reboot_GuestPowersOffOnTheButtonThenBootsAgainAndShutdownStillPowersOff()
    {
        if (GuestImages.ModulesPath() is null)
        {
            Assert.Ignore("needs KVM_NESTED_MODULES (the guest's button.ko and evdev.ko), which the nested-KVM harness provides");
        }

        string console = Path.Combine(_f.Root, "nested-reboot.console");
        var uuid = _f.Manager.Define(GuestXml("nested-reboot", GuestImages.WaitForPowerButton).Replace(" nomodule", string.Empty, StringComparison.Ordinal)).Uuid;
        await _f.Manager.StartAsync(uuid, s_none);
        Assert.That(await WaitForCountAsync(console, GuestImages.PowerButtonReady, 1), Is.True, Diagnostics(uuid, console));

        await _f.Manager.RebootAsync(uuid, s_none);
        Assert.That(await WaitForCountAsync(console, GuestImages.PowerButtonReady, 2), Is.True, "the guest did not boot again: " + Diagnostics(uuid, console));
        Assert.That(Count(ReadConsole(console), GuestImages.PowerButtonPressed), Is.EqualTo(1), "the guest powered off on the button");
        Assert.That(await _f.WaitForEventsAsync(uuid, "0/0 2/0 reboot"), Is.True, Diagnostics(uuid, console));
        var running = _f.Manager.LookupByUuid(uuid);
        Assert.That((running.State, running.Reason), Is.EqualTo((DomainState.Running, DomainStateReason.RunningBooted)));
        Assert.That(_f.EventsOf(uuid), Is.EqualTo("0/0 2/0 reboot"), "the power-off inside a reboot is not a lifecycle event");

        await _f.Manager.ShutdownAsync(uuid, s_none);
        Assert.That(await _f.WaitForEventsAsync(uuid, "0/0 2/0 reboot 6/1 5/0", s_boot), Is.True, Diagnostics(uuid, console));
        var off = _f.Manager.LookupByUuid(uuid);
        Assert.That((off.State, off.Reason), Is.EqualTo((DomainState.Shutoff, DomainStateReason.ShutoffShutdown)));
        _f.Manager.Undefine(uuid, 0);
    }

    private static async Task<bool> WaitForCountAsync(string file, string text, int count)
    {
        var deadline = DateTime.UtcNow + s_boot;
        while (DateTime.UtcNow < deadline)
        {
            if (Count(ReadConsole(file), text) >= count)
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }

    /// <summary>The console file as far as kvm-vmm has written it (it keeps the file open for writing).</summary>
    private static string ReadConsole(string path)
    {
        if (!File.Exists(path))
        {
            return string.Empty;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    private static int Count(string text, string part) =>
        (text.Length - text.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;

    private string Diagnostics(Guid uuid, string console)
    {
        string log = Path.Combine(_f.Options.RuntimeDirectory, Path.GetFileNameWithoutExtension(console) + ".log");
        return $"events: {_f.EventsOf(uuid)}\nconsole: {ReadConsole(console)}\nlog: {(File.Exists(log) ? File.ReadAllText(log) : "(none)")}";
    }

    private string GuestXml(string name, string @finally)
    {
        string initramfs = GuestImages.BuildInitramfs(_f.Root, @finally);
        return $"""
            <domain type='kvm'>
              <name>{name}</name>
              <uuid>{TestDomains.UuidOf(name):D}</uuid>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{initramfs}</initrd>
                <cmdline>console=ttyS0 reboot=k panic=1 pci=off nomodule no_timer_check</cmdline>
              </os>
              <devices>
                <serial type='file'><source path='{Path.Combine(_f.Root, name + ".console")}'/></serial>
              </devices>
            </domain>
            """;
    }
}
