using System.Diagnostics;
using Kvm.Qmp.Client;
using Kvm.Vmm.Hypervisor;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// kvm-vmm as a user runs it: a domain XML file, the guest on real KVM, the console in a file, control over QMP.
/// </summary>
[Category("Kvm")]
public sealed class VmmProcessTests
{
    private static readonly TimeSpan s_bootTimeout = TimeSpan.FromMinutes(4);

    // Everything is emulated in the nested-KVM guest: kvm-vmm takes many seconds to start there.
    private static readonly QmpClientOptions s_options = new() { ConnectTimeout = TimeSpan.FromMinutes(2), CommandTimeout = TimeSpan.FromMinutes(1) };

    private static readonly List<(int Pid, DateTime Start)> s_started = [];

    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        if (!File.Exists(KvmSystem.DefaultPath) || GuestImages.KernelPath() is null)
        {
            Assert.Ignore("needs /dev/kvm and KVM_NESTED_KERNEL: run the Kvm category inside tools/nested-kvm/nested-kvm.sh");
        }

        _directory = Directory.CreateTempSubdirectory("kvm-vmm-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        KillLeftoverVmms();
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [EmulatorRetry]
    [TestCase(1, "", 1)]
    [TestCase(2, "", 2)]
    [TestCase(2, "<cpu><topology sockets='1' dies='1' cores='2' threads='1'/></cpu>", 1)]
    public async Task DomainXml_BootsToInit_StopContQueryStatusAndQuitOverQmp(int vcpus, string cpu, int sockets)
    {
        string console = Path.Combine(_directory, "console.log");
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>nested-guest</name>
              <uuid>5d1c1a84-7a52-4b3f-9a0e-3a2f5e6c7d8e</uuid>
              <memory unit='MiB'>256</memory>
              <vcpu>{vcpus}</vcpu>
              {cpu}
              <os>
                <type arch='x86_64'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{GuestImages.BuildInitramfs(_directory, "sleep 600")}</initrd>
                <cmdline>console=ttyS0 reboot=k panic=1 pci=off nomodule no_timer_check</cmdline>
              </os>
              <devices>
                <serial type='file'>
                  <source path='{console}'/>
                </serial>
              </devices>
            </domain>
            """);
        string socket = Path.Combine(_directory, "qmp.sock");
        using var vmm = StartVmm("--domain-xml", xml, "--qmp", $"unix:{socket},server");
        await using var qmp = await QmpClient.ConnectAsync($"unix:{socket}", s_options);

        Assert.That((await qmp.ExecuteAsync("query-name"))!["name"]!.GetValue<string>(), Is.EqualTo("nested-guest"));
        await qmp.ExecuteAsync("stop");
        Assert.That(await StatusAsync(qmp), Is.EqualTo("paused"));
        await qmp.ExecuteAsync("cont");
        Assert.That(await StatusAsync(qmp), Is.EqualTo("running"));

        // /init prints the marker, the CPU count and then MemTotal: wait for the last of them.
        Assert.That(WaitForFile(console, GuestImages.ReportEnd, s_bootTimeout), Is.True,
            "the /init lines never reached the console file:\n" + ReadShared(console));
        Assert.That(ReadShared(console), Does.Contain(GuestImages.Marker));
        Assert.That(ReadShared(console), Does.Contain($"cpus={vcpus}"));
        Assert.That(ReadShared(console), Does.Match(@"MemTotal:\s+2\d\d\d\d\d kB"), "MemTotal for 256 MiB");
        Assert.That(ReadShared(console), Does.Contain($"sockets={sockets}"), "the guest's view of the topology");

        // query-chardev: the monitor, then COM1 under libvirt's label.
        var chardevs = (await qmp.ExecuteAsync("query-chardev"))!.AsArray();
        Assert.That(chardevs.Select(c => $"{c!["label"]}={c["filename"]}"), Is.EqualTo(new[] { $"compat_monitor0=unix:{socket},server=on", "charserial0=file" }));

        // query-cpus-fast: one entry per vCPU, each with a thread of this process.
        var cpus = (await qmp.ExecuteAsync("query-cpus-fast"))!.AsArray();
        Assert.That(cpus, Has.Count.EqualTo(vcpus));
        for (int i = 0; i < vcpus; i++)
        {
            long thread = cpus[i]!["thread-id"]!.GetValue<long>();
            Assert.That(cpus[i]!["cpu-index"]!.GetValue<long>(), Is.EqualTo(i));
            Assert.That(Directory.Exists($"/proc/{vmm.Id}/task/{thread}"), Is.True, $"vCPU {i}'s thread {thread} is not a thread of kvm-vmm");
        }

        await qmp.ExecuteAsync("quit");
        Assert.That(vmm.WaitForExit(30_000), Is.True, "kvm-vmm did not exit after quit");
        Assert.That(vmm.ExitCode, Is.EqualTo(0), vmm.StandardError.ReadToEnd());
    }

    [EmulatorRetry]
    [Test]
    public async Task GuestPoweroff_EmitsShutdownAndTheProcessExits()
    {
        string socket = Path.Combine(_directory, "qmp.sock");
        using var vmm = StartVmm("--kernel", GuestImages.KernelPath()!, "--initrd", GuestImages.BuildInitramfs(_directory),
            "--append", "console=ttyS0 reboot=k panic=1 pci=off nomodule no_timer_check", "--serial", "null",
            "--qmp", $"unix:{socket},server");
        await using var qmp = await QmpClient.ConnectAsync($"unix:{socket}", s_options);

        var shutdown = await NextEventAsync(qmp, "SHUTDOWN", s_bootTimeout);
        Assert.That(shutdown?.Data?.ToJsonString(), Is.EqualTo("""{"guest":true,"reason":"guest-shutdown"}"""));
        Assert.That(vmm.WaitForExit(60_000), Is.True, "kvm-vmm did not exit after the guest powered off (on_poweroff destroy)");
        Assert.That(vmm.ExitCode, Is.EqualTo(0));
    }

    /// <summary>reboot=k resets through the keyboard controller; reboot=t makes Linux triple-fault, which resets a PC.</summary>
    [EmulatorRetry]
    [TestCase("reboot=k")]
    [TestCase("reboot=t")]
    public async Task GuestReboot_EmitsResetAndTheKernelBootsAgain(string method)
    {
        string socket = Path.Combine(_directory, "qmp.sock");
        string console = Path.Combine(_directory, "console.log");
        using var vmm = StartVmm("--kernel", GuestImages.KernelPath()!, "--initrd", GuestImages.BuildInitramfs(_directory, "reboot -f"),
            "--append", $"console=ttyS0 {method} panic=1 pci=off nomodule no_timer_check", "--serial", $"file:{console}",
            "--qmp", $"unix:{socket},server");
        await using var qmp = await QmpClient.ConnectAsync($"unix:{socket}", s_options);

        var reset = await NextEventAsync(qmp, "RESET", s_bootTimeout);
        Assert.That(reset?.Data?.ToJsonString(), Is.EqualTo("""{"guest":true,"reason":"guest-reset"}"""));
        var deadline = DateTime.UtcNow + s_bootTimeout;
        while (CountOf(ReadShared(console), GuestImages.Marker) < 2 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(200);
        }

        Assert.That(CountOf(ReadShared(console), GuestImages.Marker), Is.GreaterThanOrEqualTo(2), "the kernel did not boot to /init again");
        await qmp.ExecuteAsync("quit");
        Assert.That(vmm.WaitForExit(30_000), Is.True);
        if (method == "reboot=t")
        {
            Assert.That(vmm.StandardError.ReadToEnd(), Does.Contain("triple-faulted"), "the triple fault is logged");
        }
    }

    [EmulatorRetry]
    [Test]
    public async Task DomainXml_OnRebootDestroy_GuestRebootEndsTheVmWithShutdown()
    {
        string xml = Path.Combine(_directory, "guest.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>no-reboot</name>
              <memory unit='MiB'>128</memory>
              <os>
                <type arch='x86_64'>hvm</type>
                <kernel>{GuestImages.KernelPath()}</kernel>
                <initrd>{GuestImages.BuildInitramfs(_directory, "reboot -f")}</initrd>
                <cmdline>console=ttyS0 reboot=t panic=1 pci=off nomodule no_timer_check</cmdline>
              </os>
              <on_reboot>destroy</on_reboot>
            </domain>
            """);
        string socket = Path.Combine(_directory, "qmp.sock");
        using var vmm = StartVmm("--domain-xml", xml, "--qmp", $"unix:{socket},server");
        await using var qmp = await QmpClient.ConnectAsync($"unix:{socket}", s_options);

        // As QEMU with -no-reboot: no RESET, a SHUTDOWN whose reason is the guest's reset.
        var first = await NextEventAsync(qmp, name => name is "RESET" or "SHUTDOWN", s_bootTimeout);
        Assert.That(first?.Name, Is.EqualTo("SHUTDOWN"));
        Assert.That(first?.Data?.ToJsonString(), Is.EqualTo("""{"guest":true,"reason":"guest-reset"}"""));
        Assert.That(vmm.WaitForExit(60_000), Is.True, "kvm-vmm did not exit after the guest's reset with on_reboot destroy");
        Assert.That(vmm.ExitCode, Is.EqualTo(0));
    }

    [EmulatorRetry]
    [Test]
    public async Task SystemPowerdown_PressesTheAcpiPowerButton_GuestSeesItAndPowersOff()
    {
        if (GuestImages.ModulesPath() is null)
        {
            Assert.Ignore("needs KVM_NESTED_MODULES (the guest's button.ko and evdev.ko), which the nested-KVM harness provides");
        }

        string socket = Path.Combine(_directory, "qmp.sock");
        string console = Path.Combine(_directory, "console.log");
        using var vmm = StartVmm("--kernel", GuestImages.KernelPath()!, "--initrd", GuestImages.BuildInitramfs(_directory, GuestImages.WaitForPowerButton),
            "--append", "console=ttyS0 reboot=k panic=1 pci=off no_timer_check", "--serial", $"file:{console}",
            "--qmp", $"unix:{socket},server");
        await using var qmp = await QmpClient.ConnectAsync($"unix:{socket}", s_options);
        Assert.That(WaitForFile(console, GuestImages.PowerButtonReady, s_bootTimeout), Is.True,
            "the guest found no ACPI power button:\n" + ReadShared(console));

        await qmp.ExecuteAsync("system_powerdown");
        var shutdown = await NextEventAsync(qmp, "SHUTDOWN", s_bootTimeout);
        Assert.That(ReadShared(console), Does.Contain(GuestImages.PowerButtonPressed));
        Assert.That(shutdown?.Data?.ToJsonString(), Is.EqualTo("""{"guest":true,"reason":"guest-shutdown"}"""));
        Assert.That(vmm.WaitForExit(60_000), Is.True);
    }

    [EmulatorRetry]
    [Test]
    public async Task StdioSerial_TypedLineReachesTheGuest()
    {
        string socket = Path.Combine(_directory, "qmp.sock");
        string initrd = GuestImages.BuildInitramfs(_directory, "sh -c 'read -r line; echo \"guest-read:$line\"; /bin/busybox poweroff -f'");
        using var vmm = StartVmm(redirectInput: true, "--kernel", GuestImages.KernelPath()!, "--initrd", initrd,
            "--append", "console=ttyS0 reboot=k panic=1 pci=off nomodule no_timer_check", "--serial", "stdio",
            "--qmp", $"unix:{socket},server");
        var output = new System.Text.StringBuilder();
        var sawLine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawMarker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        vmm.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
                if (e.Data?.Contains("MemTotal", StringComparison.Ordinal) == true)
                {
                    sawMarker.TrySetResult();
                }

                if (e.Data?.Contains("guest-read:typed by the host", StringComparison.Ordinal) == true)
                {
                    sawLine.TrySetResult();
                }
            }
        };
        vmm.BeginOutputReadLine();
        await using var qmp = await QmpClient.ConnectAsync($"unix:{socket}", s_options);

        bool booted = await Task.WhenAny(sawMarker.Task, Task.Delay(s_bootTimeout)) == sawMarker.Task;
        lock (output)
        {
            Assert.That(booted, Is.True, "the guest did not boot to its shell:\n" + output);
        }

        await Task.Delay(TimeSpan.FromSeconds(2)); // let the shell reach its read
        await vmm.StandardInput.WriteAsync("typed by the host\n");
        await vmm.StandardInput.FlushAsync();
        var seen = await Task.WhenAny(sawLine.Task, Task.Delay(s_bootTimeout));
        lock (output)
        {
            Assert.That(seen, Is.SameAs(sawLine.Task), "the guest did not read the typed line:\n" + output);
        }

        Assert.That(vmm.WaitForExit(60_000), Is.True);
    }

    [EmulatorRetry]
    [Test]
    public void DomainXml_UnsupportedDevice_IsRefusedByName()
    {
        string xml = Path.Combine(_directory, "disk.xml");
        File.WriteAllText(xml, $"""
            <domain type='kvm'>
              <name>with-disk</name>
              <memory unit='MiB'>128</memory>
              <os><type arch='x86_64'>hvm</type><kernel>{GuestImages.KernelPath()}</kernel></os>
              <devices>
                <disk type='file' device='disk'><source file='/nonexistent.img'/><target dev='sda' bus='sata'/></disk>
                <disk type='file' device='disk'><source file='/nonexistent.img'/><target dev='vda' bus='virtio'/></disk>
              </devices>
            </domain>
            """);
        using var vmm = StartVmm("--domain-xml", xml);
        Assert.That(vmm.WaitForExit(60_000), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(vmm.ExitCode, Is.EqualTo(2));
            Assert.That(vmm.StandardError.ReadToEnd(), Does.Contain("not supported by kvm-vmm yet: disk sda on bus 'sata'"));
        });

        // Without the SATA disk the virtio one is taken, and its missing image is named.
        File.WriteAllText(xml, File.ReadAllText(xml).Replace("<target dev='sda' bus='sata'/>", "<target dev='vdb' bus='virtio'/>", StringComparison.Ordinal));
        using var second = StartVmm("--domain-xml", xml);
        Assert.That(second.WaitForExit(60_000), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(second.ExitCode, Is.EqualTo(2));
            Assert.That(second.StandardError.ReadToEnd(), Does.Contain("disk vdb: ").And.Contain("/nonexistent.img"));
        });
    }

    internal static Task<QmpEventMessage?> NextEventAsync(QmpClient qmp, string name, TimeSpan timeout) =>
        NextEventAsync(qmp, n => n == name, timeout);

    private static async Task<QmpEventMessage?> NextEventAsync(QmpClient qmp, Func<string, bool> match, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var message in qmp.Events.WithCancellation(cancel.Token))
            {
                if (match(message.Name))
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return null;
    }

    private static int CountOf(string text, string marker) => (text.Length - text.Replace(marker, string.Empty, StringComparison.Ordinal).Length) / marker.Length;

    private static async Task<string> StatusAsync(QmpClient qmp) =>
        (await qmp.ExecuteAsync("query-status"))!["status"]!.GetValue<string>();

    internal static Process StartVmm(params string[] arguments) => StartVmm(redirectInput: false, arguments);

    internal static Process StartVmm(bool redirectInput, params string[] arguments)
    {
        string exe = GuestImages.VmmPath(Path.Combine(AppContext.BaseDirectory, "kvm-vmm"));
        var info = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = redirectInput };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        lock (s_started)
        {
            s_started.Add((process.Id, process.StartTime));
        }

        return process;
    }

    /// <summary>
    /// Kills the kvm-vmm processes a test started and left running (a failed test leaves its guest up; inside the
    /// emulated outer guest it would slow every test after it). For the Kvm fixtures' TearDown.
    /// </summary>
    internal static void KillLeftoverVmms()
    {
        (int Pid, DateTime Start)[] started;
        lock (s_started)
        {
            started = [.. s_started];
            s_started.Clear();
        }

        foreach (var (pid, start) in started)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                if (process.StartTime == start && !process.HasExited)
                {
                    TestContext.Progress.WriteLine($"killing kvm-vmm {pid}, left running by {TestContext.CurrentContext.Test.Name}");
                    process.Kill();
                    process.WaitForExit(10_000);
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }

    private static bool WaitForFile(string path, string marker, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (ReadShared(path).Contains(marker, StringComparison.Ordinal))
            {
                return true;
            }

            Thread.Sleep(100);
        }

        return false;
    }

    internal static string ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(stream).ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return string.Empty;
        }
    }
}
