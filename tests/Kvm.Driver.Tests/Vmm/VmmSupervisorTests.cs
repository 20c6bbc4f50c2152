using System.Collections.Concurrent;
using Kvm.DomainXml;
using Kvm.Driver.Domains;
using Kvm.Driver.Runtime;
using Kvm.Driver.Vmm;
using Kvm.Qmp.Commands;

namespace Kvm.Driver.Tests.Vmm;

/// <summary>
/// VMM supervision alone: real kvm-vmm processes (<c>--machine none</c>: a real monitor without a VM), real QMP,
/// a real runtime directory; no domain table or state machine.
/// </summary>
[CancelAfter(60_000)]
public sealed class VmmSupervisorTests
{
    private string _root = null!;
    private string _fakeVmm = null!;
    private RuntimeDirectory _runtime = null!;
    private readonly List<VmmInstance> _started = [];

    [SetUp]
    public void SetUp()
    {
        _started.Clear();
        _root = Directory.CreateTempSubdirectory("kvmd-vmm-").FullName;
        _fakeVmm = Path.Combine(_root, "fake-vmm");
        File.WriteAllText(_fakeVmm, $"#!/bin/sh\nexec '{Executable.KvmVmm.Path}' --machine none \"$@\"\n");
        File.SetUnixFileMode(_fakeVmm, (UnixFileMode)0b111_101_101);
        _runtime = new RuntimeDirectory(Path.Combine(_root, "run"));
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var vmm in _started)
        {
            // By pid: the instance may have been disposed with the supervisor that started it.
            if (ProcStat.IsSameLiveProcess(vmm.Process.Pid, vmm.Process.StartTime))
            {
                Interop.LibC.Kill(vmm.Process.Pid, Interop.LibC.SigKill);
            }
        }

        await Task.Delay(100);

        Directory.Delete(_root, recursive: true);
    }

    [Test]
    public async Task LaunchAsync_FakeVmm_LiveDefinitionWrittenAndMonitorAnswers()
    {
        await using var supervisor = NewSupervisor();
        VmmInstance vmm = await LaunchAsync(supervisor, "a");
        Assert.That(File.ReadAllText(_runtime.XmlPathOf("a")), Does.Contain("<name>a</name>"));
        Assert.That(vmm.QmpSocket, Is.EqualTo(_runtime.QmpPathOf("a")));
        Assert.That(File.GetUnixFileMode(vmm.QmpSocket), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(vmm.ConsolePath, Is.Null, "a monitor without a machine has no serial pty");
        Assert.That((await vmm.Qmp.QueryStatusAsync()).Status, Is.AnyOf(QmpRunState.Running, QmpRunState.Paused, QmpRunState.Prelaunch));
    }

    [Test]
    public async Task LaunchAsync_NoSuchBinary_VmmLaunchException()
    {
        await using var supervisor = new VmmSupervisor(_runtime, Options(vmmPath: Path.Combine(_root, "missing")));
        Assert.That(async () => await supervisor.LaunchAsync("a", LiveXml("a"), CancellationToken.None), Throws.TypeOf<VmmLaunchException>());
    }

    [Test]
    public async Task Watch_StopThenKill_EventsInOrderThenExitWithFilesCleaned()
    {
        await using var supervisor = NewSupervisor();
        VmmInstance vmm = await LaunchAsync(supervisor, "a");
        supervisor.RecordStatus(StatusOf("a", vmm));
        var seen = new ConcurrentQueue<VmmEventKind>();
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        supervisor.Watch("a", vmm, e => seen.Enqueue(e.Kind), () => exited.TrySetResult());
        await vmm.ExecuteAsync("stop", null, CancellationToken.None);
        await vmm.ExecuteAsync("cont", null, CancellationToken.None);
        VmmSupervisor.Kill(vmm);
        await exited.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(seen.Where(k => k is VmmEventKind.Resume or VmmEventKind.Stop), Is.EqualTo(new[] { VmmEventKind.Stop, VmmEventKind.Resume }));
        Assert.That(Directory.GetFiles(_runtime.Directory).Select(Path.GetFileName).Where(f => !f!.EndsWith(".log", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public async Task ReattachAsync_VmmOfAnEarlierSupervisor_AdoptedWithItsStatusAndLiveDefinition()
    {
        await using (var first = NewSupervisor())
        {
            VmmInstance vmm = await LaunchAsync(first, "a");
            first.RecordStatus(StatusOf("a", vmm));
            first.Watch("a", vmm, _ => { }, () => Assert.Fail("kvmd going away is no exit"));
        }

        await using var second = NewSupervisor();
        VmmReattachment found = await second.ReattachAsync(CancellationToken.None);
        Assert.That(found.Gone, Is.Empty);
        Assert.That(found.Adopted.Select(a => (a.Status.Name, a.Live.Definition.Name, a.Vmm.Process.Pid)), Is.EqualTo(new[] { ("a", "a", _started[0].Process.Pid) }));
        Assert.That((await found.Adopted[0].Vmm.Qmp.QueryStatusAsync()).Status, Is.EqualTo(found.Adopted[0].RunState));
        await found.Adopted[0].Vmm.DisposeAsync();
    }

    [Test]
    public async Task ReattachAsync_VmmDiedMeanwhile_GoneAndItsFilesRemoved()
    {
        await using (var first = NewSupervisor())
        {
            VmmInstance vmm = await LaunchAsync(first, "a");
            first.RecordStatus(StatusOf("a", vmm));
            VmmSupervisor.Kill(vmm);
            await vmm.Process.Exited.WaitAsync(TimeSpan.FromSeconds(10));
        }

        await using var second = NewSupervisor();
        VmmReattachment found = await second.ReattachAsync(CancellationToken.None);
        Assert.That(found.Adopted, Is.Empty);
        Assert.That(found.Gone.Select(s => s.Name), Is.EqualTo(new[] { "a" }));
        Assert.That(File.Exists(_runtime.StatusPathOf("a")), Is.False);
    }

    [Test]
    public async Task UpdateStatus_RunningDomain_RewrittenAndReadBack()
    {
        await using var supervisor = NewSupervisor();
        VmmInstance vmm = await LaunchAsync(supervisor, "a");
        supervisor.RecordStatus(StatusOf("a", vmm));
        Assert.That(supervisor.UpdateStatus(TestDomains.UuidOf("a"), s => s with { FakeReboot = true }), Is.True);
        Assert.That(supervisor.UpdateStatus(TestDomains.UuidOf("b"), s => s with { FakeReboot = true }), Is.False);
        Assert.That(_runtime.ReadAll().Single().FakeReboot, Is.True);
    }

    [TestCase("charserial0", "pty:/dev/pts/4", ExpectedResult = "/dev/pts/4")]
    [TestCase("serial0", "pty:/dev/pts/5", ExpectedResult = "/dev/pts/5")]
    [TestCase("charserial0", "file", ExpectedResult = null)]
    [TestCase("charserial0", "unix:/run/kvmd/a.console,server=on", ExpectedResult = null)]
    public string? ConsolePtyOf_SerialChardev_ItsPtyOnly(string label, string filename) =>
        VmmInstance.ConsolePtyOf([new QmpChardevInfo(true, "unix:/run/kvmd/a.qmp,server=on", "compat_monitor0"), new QmpChardevInfo(true, filename, label)]);

    [Test]
    public void ConsolePtyOf_TwoPtys_TheSerialsAsLibvirtLooksItUp()
    {
        Assert.That(VmmInstance.ConsolePtyOf([new QmpChardevInfo(true, "pty:/dev/pts/1", "charconsole1"), new QmpChardevInfo(true, "pty:/dev/pts/2", "charserial0")]),
            Is.EqualTo("/dev/pts/2"));
    }

    private VmmSupervisor NewSupervisor() => new(_runtime, Options(_fakeVmm));

    private static VmmSupervisorOptions Options(string vmmPath) =>
        new(vmmPath, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));

    private async Task<VmmInstance> LaunchAsync(VmmSupervisor supervisor, string name)
    {
        VmmInstance vmm = await supervisor.LaunchAsync(name, LiveXml(name), CancellationToken.None);
        _started.Add(vmm);
        return vmm;
    }

    private static string LiveXml(string name) => DomainXmlFormatter.Format(DomainDefinitions.ParseNew(TestDomains.Xml(name)));

    private static RuntimeStatus StatusOf(string name, VmmInstance vmm) =>
        new(name, TestDomains.UuidOf(name), 1, vmm.Process.Pid, vmm.Process.StartTime, vmm.QmpSocket, null, LiveXml(name));
}
