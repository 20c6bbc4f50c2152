using Kvm.DomainXml.Model;
using Kvm.Driver.Domains;
using Kvm.Driver.Vmm;
using NUnit.Framework;

namespace Kvm.Driver.Tests.Domains;

public sealed partial class DomainStateMachineTests
{
    private static readonly LifecycleDef s_defaults = new(LifecycleAction.Destroy, LifecycleAction.Restart, LifecycleAction.Destroy);

    private static string Run(DomainState state, int reason, bool destroying, VmmEvent e, LifecycleDef? lifecycle = null, RebootPhase reboot = RebootPhase.None)
    {
        var t = DomainStateMachine.OnVmmEvent(state, reason, destroying, lifecycle ?? s_defaults, e, reboot);
        return $"({(int)t.State},{t.Reason}) [{string.Join(" ", t.Events.Select(x => $"{(int)x.Event}/{x.Detail}"))}]{(t.Rebooted ? " reboot" : string.Empty)}{(t.ResetGuest ? " reset-guest" : string.Empty)}";
    }

    /// <summary>libvirt's fake reboot: the guest's power-off and the stop after it are transient; the host reset is a reboot.</summary>
    [TestCase(RebootPhase.Requested, VmmEventKind.Shutdown, true, "guest-shutdown", ExpectedResult = "(1,1) [] reset-guest")]
    [TestCase(RebootPhase.Requested, VmmEventKind.Shutdown, true, "guest-reset", ExpectedResult = "(1,1) [] reset-guest")]
    [TestCase(RebootPhase.Requested, VmmEventKind.Shutdown, false, "host-signal", ExpectedResult = "(4,0) [6/2]")]
    [TestCase(RebootPhase.Requested, VmmEventKind.Shutdown, true, "guest-panic", ExpectedResult = "(6,1) [8/0]")]
    [TestCase(RebootPhase.Requested, VmmEventKind.Stop, null, null, ExpectedResult = "(3,1) [3/0]")]
    [TestCase(RebootPhase.GuestOff, VmmEventKind.Stop, null, null, ExpectedResult = "(1,1) []")]
    [TestCase(RebootPhase.GuestOff, VmmEventKind.Reset, false, "host-qmp-system-reset", ExpectedResult = "(1,1) [] reboot")]
    [TestCase(RebootPhase.GuestOff, VmmEventKind.Resume, null, null, ExpectedResult = "(1,1) []")]
    [TestCase(RebootPhase.None, VmmEventKind.Shutdown, true, "guest-shutdown", ExpectedResult = "(4,0) [6/1]")]
    public string OnVmmEvent_DuringAReboot_FollowsLibvirtsFakeReboot(RebootPhase phase, VmmEventKind kind, bool? guest, string? reason) =>
        Run(DomainState.Running, 1, false, new VmmEvent(kind, guest, reason), reboot: phase);

    [Test]
    public void OnVmmEvent_RebootRequestedWhileDestroying_PowerOffIsNotAReboot() =>
        Assert.That(Run(DomainState.Running, 1, true, new VmmEvent(VmmEventKind.Shutdown, true, "guest-shutdown"), reboot: RebootPhase.Requested), Is.EqualTo("(1,1) []"));

    [TestCase(DomainState.Running, 1, VmmEventKind.Stop, ExpectedResult = "(3,1) [3/0]")]
    [TestCase(DomainState.Paused, 1, VmmEventKind.Stop, ExpectedResult = "(3,1) []")]
    [TestCase(DomainState.Paused, 11, VmmEventKind.Resume, ExpectedResult = "(1,1) [2/0]")]
    [TestCase(DomainState.Paused, 1, VmmEventKind.Resume, ExpectedResult = "(1,5) [4/0]")]
    [TestCase(DomainState.Running, 1, VmmEventKind.Resume, ExpectedResult = "(1,1) []")]
    [TestCase(DomainState.Running, 1, VmmEventKind.Powerdown, ExpectedResult = "(1,1) []")]
    [TestCase(DomainState.Shutoff, 1, VmmEventKind.Stop, ExpectedResult = "(5,1) []")]
    [TestCase(DomainState.Running, 1, VmmEventKind.Exited, ExpectedResult = "(5,3) [5/5]")]
    [TestCase(DomainState.Paused, 11, VmmEventKind.Exited, ExpectedResult = "(5,6) []")]
    [TestCase(DomainState.Shutdown, 0, VmmEventKind.Exited, ExpectedResult = "(5,1) [5/0]")]
    [TestCase(DomainState.Crashed, 1, VmmEventKind.Exited, ExpectedResult = "(5,3) [5/2]")]
    public string OnVmmEvent_SimpleEvents_FollowLibvirt(DomainState state, int reason, VmmEventKind kind) =>
        Run(state, reason, false, new VmmEvent(kind));

    [TestCase(true, "guest-shutdown", ExpectedResult = "(4,0) [6/1]")]
    [TestCase(false, "host-qmp-quit", ExpectedResult = "(4,0) [6/2]")]
    [TestCase(false, "host-signal", ExpectedResult = "(4,0) [6/2]")]
    [TestCase(true, "guest-reset", ExpectedResult = "(4,0) [6/1]")]
    [TestCase(true, "guest-panic", ExpectedResult = "(6,1) [8/0]")]
    public string OnVmmEvent_Shutdown_ShuttingDownWithLibvirtDetail(bool guest, string reason) =>
        Run(DomainState.Running, 1, false, new VmmEvent(VmmEventKind.Shutdown, guest, reason));

    [Test]
    public void OnVmmEvent_GuestPoweroffThenExit_StoppedShutdownAndShutoffShutdown()
    {
        var t = DomainStateMachine.OnVmmEvent(DomainState.Running, 1, false, s_defaults, new VmmEvent(VmmEventKind.Shutdown, true, "guest-shutdown"));
        Assert.That(Run(t.State, t.Reason, false, VmmEvent.Exited), Is.EqualTo("(5,1) [5/0]"));
    }

    [Test]
    public void OnVmmEvent_DestroyingExit_StoppedDestroyed()
    {
        Assert.That(Run(DomainState.Running, 1, true, VmmEvent.Exited), Is.EqualTo("(5,2) [5/1]"));
        Assert.That(Run(DomainState.Running, 1, true, new VmmEvent(VmmEventKind.Shutdown, false, "host-signal")), Is.EqualTo("(1,1) []"));
    }

    [Test]
    public void OnVmmEvent_PoweroffWithOnPoweroffRestart_KeepsRunningAndReboots()
    {
        var restart = new LifecycleDef(LifecycleAction.Restart, LifecycleAction.Restart, LifecycleAction.Destroy);
        Assert.That(Run(DomainState.Running, 1, false, new VmmEvent(VmmEventKind.Shutdown, true, "guest-shutdown"), restart), Is.EqualTo("(1,1) [] reboot"),
            "as libvirt's qemuProcessHandleShutdown: no SHUTDOWN event when on_poweroff is restart");
        var renameRestart = new LifecycleDef(LifecycleAction.RenameRestart, LifecycleAction.Restart, LifecycleAction.Destroy);
        Assert.That(Run(DomainState.Running, 1, false, new VmmEvent(VmmEventKind.Shutdown, true, "guest-shutdown"), renameRestart), Is.EqualTo("(1,1) [6/1] reboot"));
    }

    [Test]
    public void OnVmmEvent_PanicWithOnCrashRestart_KeepsRunningAndReboots()
    {
        var restart = new LifecycleDef(LifecycleAction.Destroy, LifecycleAction.Restart, LifecycleAction.Restart);
        Assert.That(Run(DomainState.Running, 1, false, new VmmEvent(VmmEventKind.Shutdown, true, "guest-panic"), restart), Is.EqualTo("(1,1) [8/0] reboot"));
    }

    [TestCase(true, LifecycleAction.Restart, ExpectedResult = "(1,1) [] reboot")]
    [TestCase(true, LifecycleAction.Destroy, ExpectedResult = "(1,1) []")]
    [TestCase(false, LifecycleAction.Destroy, ExpectedResult = "(1,1) [] reboot")]
    public string OnVmmEvent_Reset_RebootUnlessTheVmmWillPowerOff(bool guest, LifecycleAction onReboot) =>
        Run(DomainState.Running, 1, false, new VmmEvent(VmmEventKind.Reset, guest, guest ? "guest-reset" : "host-qmp-system-reset"),
            new LifecycleDef(LifecycleAction.Destroy, onReboot, LifecycleAction.Destroy));
}
