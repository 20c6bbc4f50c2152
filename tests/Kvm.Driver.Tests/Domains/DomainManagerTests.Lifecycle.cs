using System.Diagnostics;
using Kvm.Driver.Domains;
using Kvm.Driver.Runtime;
using NUnit.Framework;

namespace Kvm.Driver.Tests.Domains;

/// <summary>The lifecycle against real kvm-vmm processes: "--machine none" (a monitor without a VM) stands in for a guest.</summary>
public sealed partial class DomainManagerTests
{
    private static readonly CancellationToken s_none = CancellationToken.None;

    [Test]
    public async Task Lifecycle_StartSuspendResumeDestroy_StatesEventsIdsAndCleanRuntime()
    {
        var uuid = Manager.Define(TestDomains.Xml("a")).Uuid;
        await Manager.StartAsync(uuid, s_none);
        var running = Manager.LookupByUuid(uuid);
        Assert.That((running.State, running.Reason, running.Id, running.Active), Is.EqualTo((DomainState.Running, 1, 1, true)));
        Assert.That(Manager.LookupById(1).Uuid, Is.EqualTo(uuid));
        Assert.That(Manager.GetXmlDesc(uuid, 0), Does.StartWith("<domain type='kvm' id='1'>"));
        Assert.That(Manager.GetXmlDesc(uuid, DomainXmlFlags.Inactive), Does.StartWith("<domain type='kvm'>"));
        Assert.That(_f.RuntimeFiles().Order(), Is.EqualTo(new[] { "a.qmp", "a.status", "a.xml" }));
        Assert.That(File.GetUnixFileMode(Path.Combine(_f.Options.RuntimeDirectory, "a.qmp")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));

        Assert.That(async () => await Manager.StartAsync(uuid, s_none), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: domain is already running"));
        await Manager.SuspendAsync(uuid, s_none);
        Assert.That((Manager.LookupByUuid(uuid).State, Manager.LookupByUuid(uuid).Reason), Is.EqualTo((DomainState.Paused, 1)));
        await Manager.ResumeAsync(uuid, s_none);
        Assert.That(Manager.LookupByUuid(uuid).State, Is.EqualTo(DomainState.Running));
        await Manager.ResetAsync(uuid, s_none);
        await Manager.ShutdownAsync(uuid, s_none); // system_powerdown: POWERDOWN only, the monitor-only VMM has no guest
        Assert.That(await Manager.GetVcpusAsync(uuid, s_none), Has.Count.EqualTo(1));
        await Manager.DestroyAsync(uuid, s_none);
        var stopped = Manager.LookupByUuid(uuid);
        Assert.That((stopped.State, stopped.Reason, stopped.Id), Is.EqualTo((DomainState.Shutoff, 2, -1)));
        Assert.That(await _f.WaitForEventsAsync(uuid, "0/0 2/0 3/0 4/0 reboot 5/1"), Is.True, _f.EventsOf(uuid));
        Assert.That(_f.RuntimeFiles(), Is.Empty);
        Assert.That(async () => await Manager.DestroyAsync(uuid, s_none), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: domain is not running"));

        await Manager.StartAsync(uuid, s_none);
        Assert.That(Manager.LookupByUuid(uuid).Id, Is.EqualTo(2), "ids increase with each start");
    }

    /// <summary>
    /// Reboot asks the guest (system_powerdown) after telling the VMM to hold its power-off (set-action); the request
    /// is in the runtime status for a restarted kvmd, and Shutdown calls it off. The monitor-only VMM has no guest to
    /// power off, so the reset itself is tested on real KVM (DomainManagerKvmTests).
    /// </summary>
    [Test]
    public async Task Reboot_RequestRecordedAcrossRestartAndShutdownCallsItOff()
    {
        var uuid = Manager.Define(TestDomains.Xml("a")).Uuid;
        await Manager.StartAsync(uuid, s_none);
        string status = Path.Combine(_f.Options.RuntimeDirectory, "a.status");
        Assert.That(File.ReadAllText(status), Does.Contain("\"fakeReboot\": false"));

        await Manager.RebootAsync(uuid, s_none);
        Assert.That(File.ReadAllText(status), Does.Contain("\"fakeReboot\": true"));
        var running = Manager.LookupByUuid(uuid);
        Assert.That((running.State, running.Reason), Is.EqualTo((DomainState.Running, DomainStateReason.RunningBooted)), "no state change until the guest acts");

        await _f.RestartAsync();
        Assert.That(Manager.LookupByUuid(uuid).State, Is.EqualTo(DomainState.Running));
        await Manager.ShutdownAsync(uuid, s_none);
        Assert.That(File.ReadAllText(status), Does.Contain("\"fakeReboot\": false"), "the restarted kvmd knew of the reboot and called it off");
        await Manager.DestroyAsync(uuid, s_none);
        Assert.That(_f.EventsOf(uuid), Does.Not.Contain("reboot"), "no reset happened: nothing rebooted");
    }

    [Test]
    public async Task Reboot_OnRebootDestroy_IsAShutdown()
    {
        var uuid = Manager.Define(TestDomains.Xml("a", extra: "<on_reboot>destroy</on_reboot>")).Uuid;
        await Manager.StartAsync(uuid, s_none);
        await Manager.RebootAsync(uuid, s_none);
        Assert.That(File.ReadAllText(Path.Combine(_f.Options.RuntimeDirectory, "a.status")), Does.Contain("\"fakeReboot\": false"));
        await Manager.DestroyAsync(uuid, s_none);
    }

    [Test]
    public async Task Start_Paused_StartedThenSuspendedAndResumeRunsIt()
    {
        var uuid = Manager.Define(TestDomains.Xml("a")).Uuid;
        await Manager.StartAsync(uuid, paused: true, s_none);
        var paused = Manager.LookupByUuid(uuid);
        Assert.That((paused.State, paused.Reason, paused.Id, paused.Active), Is.EqualTo((DomainState.Paused, DomainStateReason.PausedUser, 1, true)));
        Assert.That(await _f.WaitForEventsAsync(uuid, "0/0 2/0 3/0"), Is.True, _f.EventsOf(uuid));

        await Manager.ResumeAsync(uuid, s_none);
        var running = Manager.LookupByUuid(uuid);
        Assert.That((running.State, running.Reason), Is.EqualTo((DomainState.Running, DomainStateReason.RunningUnpaused)));
        Assert.That(await _f.WaitForEventsAsync(uuid, "0/0 2/0 3/0 4/0"), Is.True, _f.EventsOf(uuid));
        await Manager.DestroyAsync(uuid, s_none);
    }

    [Test]
    public async Task Start_NameTooLongForASocketAddress_MonitorOnAShortPathAndControlled()
    {
        // 200 bytes: fits the state directory's file names, but "<runtime>/<name>.qmp" is far over sun_path's 107.
        string name = new string('n', 200);
        var uuid = Manager.Define(TestDomains.Xml(name)).Uuid;
        await Manager.StartAsync(uuid, s_none);
        string[] sockets = Directory.GetFiles(_f.Options.RuntimeDirectory, "h-*.monitor");
        Assert.That(sockets, Has.Length.EqualTo(1));
        Assert.That(System.Text.Encoding.UTF8.GetByteCount(sockets[0]), Is.LessThanOrEqualTo(RuntimeDirectory.MaxSocketPathBytes));
        await Manager.SuspendAsync(uuid, s_none);
        Assert.That(Manager.LookupByName(name).State, Is.EqualTo(DomainState.Paused));
        await Manager.DestroyAsync(uuid, s_none);
        Assert.That(_f.RuntimeFiles(), Is.Empty);
    }

    [Test]
    public async Task Start_NameWithCommas_MonitorReachedAndControlled()
    {
        var uuid = Manager.Define(TestDomains.Xml("a,b,,c")).Uuid;
        await Manager.StartAsync(uuid, s_none);
        Assert.That(File.Exists(Path.Combine(_f.Options.RuntimeDirectory, "a,b,,c.qmp")), Is.True);
        await Manager.SuspendAsync(uuid, s_none);
        Assert.That(Manager.LookupByName("a,b,,c").State, Is.EqualTo(DomainState.Paused));
        await Manager.DestroyAsync(uuid, s_none);
        Assert.That(_f.RuntimeFiles(), Is.Empty);
    }

    [Test]
    public async Task CreateTransient_Paused_PausedByTheUser()
    {
        var info = await Manager.CreateTransientAsync(TestDomains.Xml("t"), paused: true, s_none);
        Assert.That((info.State, info.Reason, info.Persistent), Is.EqualTo((DomainState.Paused, DomainStateReason.PausedUser, false)));
        Assert.That(await _f.WaitForEventsAsync(info.Uuid, "2/0 3/0"), Is.True, _f.EventsOf(info.Uuid));
        await Manager.DestroyAsync(info.Uuid, s_none);
    }

    [Test]
    public async Task Start_VmmKilledBySigterm_ShutdownHostThenStoppedShutdown()
    {
        var uuid = Manager.Define(TestDomains.Xml("a")).Uuid;
        await Manager.StartAsync(uuid, s_none);
        int pid = StatusOf("a").Pid;
        Process.GetProcessById(pid); // exists
        Assert.That(Interop.LibC.Kill(pid, Interop.LibC.SigTerm), Is.EqualTo(0));
        Assert.That(await _f.WaitForEventsAsync(uuid, "2/0 6/2 5/0"), Is.True, _f.EventsOf(uuid));
        Assert.That((Manager.LookupByUuid(uuid).State, Manager.LookupByUuid(uuid).Reason), Is.EqualTo((DomainState.Shutoff, 1)));
    }

    [Test]
    public async Task Start_VmmKilledBySigkill_StoppedFailedAndShutoffCrashed()
    {
        var uuid = Manager.Define(TestDomains.Xml("a")).Uuid;
        await Manager.StartAsync(uuid, s_none);
        Assert.That(Interop.LibC.Kill(StatusOf("a").Pid, Interop.LibC.SigKill), Is.EqualTo(0));
        Assert.That(await _f.WaitForEventsAsync(uuid, "2/0 5/5"), Is.True, _f.EventsOf(uuid));
        Assert.That((Manager.LookupByUuid(uuid).State, Manager.LookupByUuid(uuid).Reason), Is.EqualTo((DomainState.Shutoff, 3)));
        Assert.That(_f.RuntimeFiles(), Is.Empty);
    }

    [Test]
    public async Task CreateTransient_ThenDestroy_StartedOnlyAndTheDomainDisappears()
    {
        var info = await Manager.CreateTransientAsync(TestDomains.Xml("t"), s_none);
        Assert.That((info.Persistent, info.State, info.Id), Is.EqualTo((false, DomainState.Running, 1)));
        Assert.That(() => Manager.Undefine(info.Uuid, 0), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: cannot undefine transient domain"));
        Assert.That(Directory.GetFiles(_f.Options.StateDirectory), Is.Empty);
        await Manager.DestroyAsync(info.Uuid, s_none);
        Assert.That(() => Manager.LookupByName("t"), Throws.TypeOf<DomainOperationException>());
        Assert.That(await _f.WaitForEventsAsync(info.Uuid, "2/0 5/1"), Is.True, _f.EventsOf(info.Uuid));
        Assert.That(_f.EventsOf(info.Uuid), Is.EqualTo("2/0 5/1"));
    }

    [Test]
    public async Task Undefine_Running_BecomesTransientAndGoesWhenItStops()
    {
        var uuid = Manager.Define(TestDomains.Xml("a")).Uuid;
        await Manager.StartAsync(uuid, s_none);
        Manager.Undefine(uuid, 0);
        Assert.That(Manager.LookupByUuid(uuid).Persistent, Is.False);
        Assert.That(() => Manager.Rename(uuid, "b"), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: cannot rename a transient domain"));
        await Manager.DestroyAsync(uuid, s_none);
        Assert.That(Manager.TryGet(uuid, out _), Is.False);
    }

    [Test]
    public async Task Rename_Running_CannotRenameActiveDomain()
    {
        var uuid = Manager.Define(TestDomains.Xml("a")).Uuid;
        await Manager.StartAsync(uuid, s_none);
        Assert.That(() => Manager.Rename(uuid, "b"), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: cannot rename active domain"));
    }

    [Test]
    public async Task Rename_WhileStarting_StateChangeLockTimeoutAndTheStartKeepsItsName()
    {
        // A VMM that takes two seconds to come up keeps the start (and its job) going while Rename is called.
        string slow = Path.Combine(_f.Root, "slow-vmm");
        File.WriteAllText(slow, $"#!/bin/sh\nsleep 2\nexec '{_f.FakeVmm}' \"$@\"\n");
        File.SetUnixFileMode(slow, (UnixFileMode)0b111_101_101);
        await using var f = new ManagerFixture(vmmPath: slow);
        await f.Manager.InitializeAsync(s_none);
        var uuid = f.Manager.Define(TestDomains.Xml("a")).Uuid;
        Task start = f.Manager.StartAsync(uuid, s_none).AsTask();
        while (f.Manager.LookupByUuid(uuid).Reason != DomainStateReason.PausedStartingUp && !start.IsCompleted)
        {
            await Task.Delay(10);
        }

        var e = Assert.Throws<DomainOperationException>(() => f.Manager.Rename(uuid, "b"));
        Assert.That((e!.Code, e.Message), Is.EqualTo((VirErrorCode.OperationTimeout, "Timed out during operation: cannot acquire state change lock (held by another job)")));
        await start;
        Assert.That((f.Manager.LookupByName("a").State, f.Manager.TryGet(uuid, out _)), Is.EqualTo((DomainState.Running, true)));
        Assert.That(File.Exists(Path.Combine(f.Options.RuntimeDirectory, "a.status")), Is.True);
        await f.Manager.DestroyAsync(uuid, s_none);
    }

    [Test]
    public async Task Restart_VmStillRunning_ReattachesWithSameIdAndControlsIt()
    {
        var uuid = Manager.Define(TestDomains.Xml("a")).Uuid;
        var transient = await Manager.CreateTransientAsync(TestDomains.Xml("t"), s_none);
        await Manager.StartAsync(uuid, s_none);
        int pid = StatusOf("a").Pid;

        await _f.RestartAsync();
        Assert.That(ProcStat.TryRead(pid, out var stat) && stat.IsAlive, Is.True, "the VM must outlive kvmd");
        var info = Manager.LookupByUuid(uuid);
        Assert.That((info.State, info.Id), Is.EqualTo((DomainState.Running, 2)));
        Assert.That(Manager.LookupByUuid(transient.Uuid).Persistent, Is.False);
        await Manager.SuspendAsync(uuid, s_none);
        Assert.That(Manager.LookupByUuid(uuid).State, Is.EqualTo(DomainState.Paused));
        await Manager.DestroyAsync(uuid, s_none);
        Assert.That(Manager.LookupByUuid(uuid).State, Is.EqualTo(DomainState.Shutoff));
        await Manager.StartAsync(uuid, s_none);
        Assert.That(Manager.LookupByUuid(uuid).Id, Is.EqualTo(3), "ids continue after the highest re-attached one");
    }

    [Test]
    public async Task Restart_AutostartDomain_StartedByTheNewDaemonAndTheOtherLeftOff()
    {
        var a = Manager.Define(TestDomains.Xml("a")).Uuid;
        var b = Manager.Define(TestDomains.Xml("b")).Uuid;
        Manager.SetAutostart(a, true);

        await _f.RestartAsync();
        var started = Manager.LookupByUuid(a);
        Assert.That((started.State, started.Reason, started.Id), Is.EqualTo((DomainState.Running, 1, 1)), "booted, as libvirt's autostart");
        Assert.That(ProcStat.TryRead(StatusOf("a").Pid, out var stat) && stat.IsAlive, Is.True, "a kvm-vmm runs the autostarted domain");
        Assert.That(Manager.LookupByUuid(b).State, Is.EqualTo(DomainState.Shutoff));
        await Manager.DestroyAsync(a, s_none);
    }

    [Test]
    public async Task Restart_VmDiedMeanwhile_ShutoffCrashedAndRuntimeCleaned()
    {
        var uuid = Manager.Define(TestDomains.Xml("a")).Uuid;
        var transient = await Manager.CreateTransientAsync(TestDomains.Xml("t"), s_none);
        await Manager.StartAsync(uuid, s_none);
        int pid = StatusOf("a").Pid, transientPid = StatusOf("t").Pid;
        await Manager.DisposeAsync();
        Interop.LibC.Kill(pid, Interop.LibC.SigKill);
        Interop.LibC.Kill(transientPid, Interop.LibC.SigKill);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((ProcStat.TryRead(pid, out var s) && s.IsAlive) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await _f.RestartAsync();
        var info = Manager.LookupByUuid(uuid);
        Assert.That((info.State, info.Reason, info.Id), Is.EqualTo((DomainState.Shutoff, 3, -1)));
        Assert.That(Manager.TryGet(transient.Uuid, out _), Is.False);
        Assert.That(_f.RuntimeFiles(), Is.Empty);
    }

    [Test]
    public async Task Start_VmmThatCannotRunTheGuest_ShutoffFailedWithTheVmmsMessageAndCleanDirectories()
    {
        await using var f = new ManagerFixture(vmmPath: Executable.KvmVmm.Path);
        await f.Manager.InitializeAsync(s_none);
        string kernel = Path.Combine(f.Root, "bzImage");
        File.WriteAllBytes(kernel, Kvm.Vmm.Tests.FakeBzImage.Bytes());
        var uuid = f.Manager.Define(TestDomains.Xml("a", kernel: kernel)).Uuid;
        var transientXml = TestDomains.Xml("t", kernel: kernel);

        var e = await Assert.ThrowsAsync<DomainOperationException>(async () => await f.Manager.StartAsync(uuid, s_none));
        Assert.That(e!.Code, Is.EqualTo(VirErrorCode.InternalError));
        Assert.That(e.Message, Does.StartWith("internal error: process exited while connecting to monitor: "));
        if (!File.Exists("/dev/kvm"))
        {
            Assert.That(e.Message, Does.EndWith("KVM is not available: /dev/kvm does not exist; is the kvm module loaded (modprobe kvm_intel or kvm_amd)?"));
        }

        var info = f.Manager.LookupByUuid(uuid);
        Assert.That((info.State, info.Reason, info.Id), Is.EqualTo((DomainState.Shutoff, DomainStateReason.ShutoffFailed, -1)));
        Assert.That(async () => await f.Manager.CreateTransientAsync(transientXml, s_none), Throws.TypeOf<DomainOperationException>());
        Assert.That(f.Manager.List().Select(i => i.Name), Is.EqualTo(new[] { "a" }));
        Assert.That(f.RuntimeFiles(), Is.Empty);
        Assert.That(Directory.GetFiles(f.Options.StateDirectory).Select(Path.GetFileName), Is.EqualTo(new[] { "a.xml" }));
        Assert.That(f.EventsOf(uuid), Is.EqualTo("0/0"), "a start that failed raises no event");
    }

    private RuntimeStatus StatusOf(string name) => new RuntimeDirectory(_f.Options.RuntimeDirectory).ReadAll().Single(s => s.Name == name);
}
