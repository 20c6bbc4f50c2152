using System.Collections.Concurrent;
using Kvm.Driver.Domains;
using Kvm.Driver.Runtime;
using Kvm.Driver.Storage;
using Kvm.Driver.Vmm;
using Kvm.Qmp.Commands;

namespace Kvm.Driver.Tests.Domains;

/// <summary>
/// Jobs and lifecycle alone, without the manager's facade: the real definitions store on a temporary directory, the
/// real supervisor running kvm-vmm <c>--machine none</c> (a real monitor without a VM), events recorded in order.
/// </summary>
[CancelAfter(120_000)]
public sealed partial class DomainLifecycleTests
{
    private string _root = null!;
    private string _fakeVmm = null!;
    private Core _core = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("kvmd-life-").FullName;
        _fakeVmm = Path.Combine(_root, "fake-vmm");
        File.WriteAllText(_fakeVmm, $"#!/bin/sh\nexec '{Executable.KvmVmm.Path}' --machine none \"$@\"\n");
        File.SetUnixFileMode(_fakeVmm, (UnixFileMode)0b111_101_101);
        _core = new Core(_root, _fakeVmm);
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var info in _core.Table.List().Where(i => i.Active))
        {
            await _core.Lifecycle.DestroyAsync(info.Uuid, CancellationToken.None);
        }

        await _core.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Test]
    public async Task StartThenDestroy_Defined_StartedBootedThenStoppedDestroyed()
    {
        var uuid = _core.Definitions.Define(TestDomains.Xml("a")).Uuid;
        await _core.Lifecycle.StartAsync(uuid, paused: false, CancellationToken.None);
        var running = _core.Table.LookupByUuid(uuid);
        Assert.That((running.State, running.Reason, running.Id), Is.EqualTo((DomainState.Running, DomainStateReason.RunningBooted, 1)));
        Assert.That(_core.Runtime.ReadAll().Select(s => (s.Name, s.Id)), Is.EqualTo(new[] { ("a", 1) }));

        await _core.Lifecycle.DestroyAsync(uuid, CancellationToken.None);
        var off = _core.Table.LookupByUuid(uuid);
        Assert.That((off.State, off.Reason, off.Id), Is.EqualTo((DomainState.Shutoff, DomainStateReason.ShutoffDestroyed, -1)));
        Assert.That(await _core.WaitForEventsAsync("0/0 2/0 5/1"), Is.True, _core.Events);
    }

    /// <summary>A boot kvm-vmm cannot do (secure boot, which needs SMM) is refused the same way, by the boot description.</summary>
    [Test]
    public async Task StartAsync_ASecureBootDomain_IsRefusedWithTheReasonWithoutAProcess()
    {
        string xml = TestDomains.Xml("a").Replace("<kernel>/boot/vmlinuz</kernel>", "", StringComparison.Ordinal)
            .Replace("<type arch='x86_64'>hvm</type>", "<type arch='x86_64' machine='q35'>hvm</type><loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.secboot.fd</loader>", StringComparison.Ordinal)
            .Replace("<devices>", "<features><acpi/><smm state='on'/></features><devices>", StringComparison.Ordinal);
        var uuid = _core.Definitions.Define(xml).Uuid;
        var refused = await Assert.ThrowsAsync<DomainOperationException>(async () => await _core.Lifecycle.StartAsync(uuid, paused: false, CancellationToken.None));
        Assert.That(refused!.Code, Is.EqualTo(VirErrorCode.ConfigUnsupported));
        Assert.That(refused.Message, Does.StartWith("unsupported configuration: kvm-vmm cannot boot this domain yet: <loader secure='yes'>"));
        Assert.That(_core.Table.LookupByUuid(uuid).State, Is.EqualTo(DomainState.Shutoff));
        Assert.That(_core.Runtime.ReadAll(), Is.Empty, "no VMM was started");
    }

    /// <summary>kvmd refuses what kvm-vmm cannot run by the same description (VmmSupport), before starting a process.</summary>
    [Test]
    public async Task StartAsync_ADeviceKvmVmmCannotRun_IsRefusedByNameWithoutAProcess()
    {
        string xml = TestDomains.Xml("a").Replace("<serial type='null'/>", """
            <serial type='null'/>
            <disk type='file' device='cdrom'><source file='/nonexistent.iso'/><target dev='sda' bus='sata'/></disk>
            """, StringComparison.Ordinal);
        var uuid = _core.Definitions.Define(xml).Uuid;
        var refused = await Assert.ThrowsAsync<DomainOperationException>(async () => await _core.Lifecycle.StartAsync(uuid, paused: false, CancellationToken.None));
        Assert.That(refused!.Code, Is.EqualTo(VirErrorCode.ConfigUnsupported));
        Assert.That(refused.Message, Is.EqualTo("unsupported configuration: kvm-vmm cannot run these devices yet: disk sda (device 'cdrom')"));
        var off = _core.Table.LookupByUuid(uuid);
        Assert.That((off.State, off.Reason), Is.EqualTo((DomainState.Shutoff, DomainStateReason.ShutoffFailed)));
        Assert.That(_core.Runtime.ReadAll(), Is.Empty, "no VMM was started");
    }

    [Test]
    public async Task StartAsync_Paused_StartedBootedThenSuspendedPausedAndResumeRuns()
    {
        var uuid = _core.Definitions.Define(TestDomains.Xml("a")).Uuid;
        await _core.Lifecycle.StartAsync(uuid, paused: true, CancellationToken.None);
        Assert.That(_core.Table.LookupByUuid(uuid).Reason, Is.EqualTo(DomainStateReason.PausedUser));
        await _core.Lifecycle.ResumeAsync(uuid, CancellationToken.None);
        Assert.That(_core.Table.LookupByUuid(uuid).State, Is.EqualTo(DomainState.Running));
        Assert.That(await _core.WaitForEventsAsync("0/0 2/0 3/0 4/0"), Is.True, _core.Events);
    }

    [Test]
    public async Task StartAsync_TwoAtOnce_OneJobAtATimeSoTheSecondFindsItRunning()
    {
        var uuid = _core.Definitions.Define(TestDomains.Xml("a")).Uuid;
        Task first = _core.Lifecycle.StartAsync(uuid, paused: false, CancellationToken.None).AsTask();
        Task second = _core.Lifecycle.StartAsync(uuid, paused: false, CancellationToken.None).AsTask();
        var outcomes = await Task.WhenAll(Outcome(first), Outcome(second));
        Assert.That(outcomes, Is.EquivalentTo(new[] { "ok", "Requested operation is not valid: domain is already running" }));
        Assert.That(_core.Runtime.ReadAll(), Has.Count.EqualTo(1), "one VMM");
    }

    [Test]
    public async Task CreateTransientAsync_ThenDestroy_GoneFromTheTable()
    {
        var info = await _core.Lifecycle.CreateTransientAsync(TestDomains.Xml("t"), paused: false, CancellationToken.None);
        Assert.That((info.Persistent, info.State), Is.EqualTo((false, DomainState.Running)));
        await _core.Lifecycle.DestroyAsync(info.Uuid, CancellationToken.None);
        Assert.That(_core.Table.TryGet(info.Uuid, out _), Is.False);
    }

    [Test]
    public async Task ReattachAsync_NewCoreOnTheSameDirectories_RunningWithItsIdAndControlled()
    {
        var uuid = _core.Definitions.Define(TestDomains.Xml("a")).Uuid;
        await _core.Lifecycle.StartAsync(uuid, paused: false, CancellationToken.None);
        await _core.DisposeAsync();

        _core = new Core(_root, _fakeVmm);
        _core.Definitions.Load();
        await _core.Lifecycle.ReattachAsync(CancellationToken.None);
        var info = _core.Table.LookupByUuid(uuid);
        Assert.That((info.State, info.Id), Is.EqualTo((DomainState.Running, 1)));
        await _core.Lifecycle.SuspendAsync(uuid, CancellationToken.None);
        Assert.That(_core.Table.LookupByUuid(uuid).State, Is.EqualTo(DomainState.Paused));
    }

    [Test]
    public async Task GetControlInfo_InactiveThenRunning_NotRunningThenOk()
    {
        var uuid = _core.Definitions.Define(TestDomains.Xml("a")).Uuid;
        Assert.That(() => _core.Lifecycle.GetControlInfo(uuid), Throws.TypeOf<DomainOperationException>()
            .With.Message.EqualTo("Requested operation is not valid: domain is not running"));
        await _core.Lifecycle.StartAsync(uuid, paused: false, CancellationToken.None);
        Assert.That(_core.Lifecycle.GetControlInfo(uuid), Is.EqualTo(DomainControlInfo.Ok));
    }

    [TestCase(QmpRunState.Running, DomainState.Running, DomainStateReason.RunningBooted)]
    [TestCase(QmpRunState.Shutdown, DomainState.Shutdown, DomainStateReason.Unknown)]
    [TestCase(QmpRunState.GuestPanicked, DomainState.Crashed, DomainStateReason.CrashedPanicked)]
    [TestCase(QmpRunState.Prelaunch, DomainState.Paused, DomainStateReason.PausedStartingUp)]
    [TestCase(QmpRunState.Paused, DomainState.Paused, DomainStateReason.PausedUser)]
    public void StateOf_RunState_LibvirtsReadingOnReconnect(QmpRunState runState, DomainState state, int reason) =>
        Assert.That(DomainLifecycle.StateOf(runState), Is.EqualTo((state, reason)));

    private static async Task<string> Outcome(Task task)
    {
        try
        {
            await task;
            return "ok";
        }
        catch (DomainOperationException e)
        {
            return e.Message;
        }
    }

    /// <summary>The core's services wired as the manager wires them, on one state and runtime directory.</summary>
    internal sealed class Core : IAsyncDisposable
    {
        private readonly ConcurrentQueue<string> _events = new();
        private readonly DomainEvents _domainEvents = new();
        private readonly VmmSupervisor _supervisor;
        private bool _disposed;

        public Core(string root, string vmmPath)
        {
            Runtime = new RuntimeDirectory(Path.Combine(root, "run"));
            _domainEvents.LifecycleEvent += e => _events.Enqueue($"{(int)e.Event}/{e.Detail}");
            Firmware = new DomainFirmware(Path.Combine(root, "state", "nvram"), [Path.Combine(root, "firmware")]);
            Definitions = new DomainDefinitions(new DomainStore(Path.Combine(root, "state")), Table, _domainEvents, Runtime, firmware: Firmware);
            _supervisor = new VmmSupervisor(Runtime, new VmmSupervisorOptions(vmmPath, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)));
            Lifecycle = new DomainLifecycle(Table, Definitions, _domainEvents, _supervisor, TimeSpan.FromSeconds(10), Firmware);
        }

        public DomainTable Table { get; } = new();

        public DomainFirmware Firmware { get; }

        public RuntimeDirectory Runtime { get; }

        public DomainDefinitions Definitions { get; }

        public DomainLifecycle Lifecycle { get; }

        public string Events => string.Join(" ", _events);

        public async Task<bool> WaitForEventsAsync(string expected)
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline; await Task.Delay(20))
            {
                if (Events.Contains(expected, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await _supervisor.DisposeAsync();
            await _domainEvents.DisposeAsync();
        }
    }
}
