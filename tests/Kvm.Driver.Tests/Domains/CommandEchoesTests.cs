using Kvm.Driver.Domains;
using Kvm.Driver.Vmm;

namespace Kvm.Driver.Tests.Domains;

/// <summary>
/// A command's QMP event applied once, wherever it lands first. The race a nested run showed: suspend and resume
/// returned (and were applied) before the event loop got to STOP, which then paused a running domain (a spurious
/// SUSPENDED event, the state wrong until the next event).
/// </summary>
public sealed class CommandEchoesTests
{
    [Test]
    public void EventsLaterThanTheirReplies_AreIgnoredEvenAfterTheNextCommand()
    {
        var echoes = new CommandEchoes();
        echoes.Expect(VmmEventKind.Stop);
        Assert.That(echoes.Returned(VmmEventKind.Stop), Is.True, "suspend applies its effect");
        echoes.Expect(VmmEventKind.Resume);
        Assert.That(echoes.Returned(VmmEventKind.Resume), Is.True, "resume applies its effect");
        Assert.That(echoes.Arrived(VmmEventKind.Stop), Is.True, "the late STOP is ignored");
        Assert.That(echoes.Arrived(VmmEventKind.Resume), Is.True, "the late RESUME is ignored");
        Assert.That(echoes.Arrived(VmmEventKind.Stop), Is.False, "a STOP nobody asked for is applied");
    }

    [Test]
    public void AnEventBeforeItsReply_IsAppliedByTheEventLoopOnly()
    {
        var echoes = new CommandEchoes();
        echoes.Expect(VmmEventKind.Stop);
        Assert.That(echoes.Arrived(VmmEventKind.Stop), Is.False, "applied where it lands");
        Assert.That(echoes.Returned(VmmEventKind.Stop), Is.False, "not applied again by the command");
        Assert.That(echoes.Arrived(VmmEventKind.Stop), Is.False, "and a later STOP is the guest's own");
    }

    [Test]
    public void AFailedCommand_LeavesNothingPending()
    {
        var echoes = new CommandEchoes();
        echoes.Expect(VmmEventKind.Resume);
        echoes.Cancel(VmmEventKind.Resume);
        Assert.That(echoes.Returned(VmmEventKind.Resume), Is.False);
        Assert.That(echoes.Arrived(VmmEventKind.Resume), Is.False);

        echoes.Expect(VmmEventKind.Stop);
        Assert.That(echoes.Returned(VmmEventKind.Stop), Is.True);
        echoes.Clear();
        Assert.That(echoes.Arrived(VmmEventKind.Stop), Is.False, "a new VMM owes nothing");
    }
}
