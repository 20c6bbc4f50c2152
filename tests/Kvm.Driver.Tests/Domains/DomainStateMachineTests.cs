using Kvm.Driver.Domains;
using NUnit.Framework;

namespace Kvm.Driver.Tests.Domains;

public sealed partial class DomainStateMachineTests
{
    private const string NotRunning = "Requested operation is not valid: domain is not running";
    private const string AlreadyRunning = "Requested operation is not valid: domain is already running";

    private static readonly (DomainState State, int Reason)[] s_states =
    [
        (DomainState.Shutoff, DomainStateReason.ShutoffShutdown),
        (DomainState.Running, DomainStateReason.RunningBooted),
        (DomainState.Paused, DomainStateReason.PausedUser),
        (DomainState.Paused, DomainStateReason.PausedStartingUp),
        (DomainState.Shutdown, DomainStateReason.Unknown),
        (DomainState.Crashed, DomainStateReason.CrashedPanicked),
        (DomainState.PmSuspended, DomainStateReason.Unknown),
    ];

    /// <summary>Every operation in every state, persistent and transient: the whole table.</summary>
    [Test]
    public void Decide_EveryOperationStateAndPersistence_MatchesLibvirt()
    {
        foreach (DomainOperation operation in Enum.GetValues<DomainOperation>())
        {
            foreach (var (state, reason) in s_states)
            {
                foreach (bool persistent in new[] { true, false })
                {
                    var verdict = DomainStateMachine.Decide(operation, state, reason, persistent, "vm");
                    var expected = Expected(operation, state, reason, persistent);
                    Assert.That((verdict.Kind, verdict.Message), Is.EqualTo(expected), $"{operation} in {state}/{reason}, persistent={persistent}");
                }
            }
        }
    }

    [TestCase(DomainOperation.Start, DomainState.Running, AlreadyRunning)]
    [TestCase(DomainOperation.Destroy, DomainState.Shutoff, NotRunning)]
    [TestCase(DomainOperation.Suspend, DomainState.Shutoff, NotRunning)]
    public void ThrowIfRefused_Refused_ThrowsOperationInvalidWithLibvirtMessage(DomainOperation operation, DomainState state, string message)
    {
        var verdict = DomainStateMachine.Decide(operation, state, 1, true, "vm");
        var e = Assert.Throws<DomainOperationException>(() => verdict.ThrowIfRefused());
        Assert.That((e!.Code, e.Message), Is.EqualTo((VirErrorCode.OperationInvalid, message)));
    }

    [Test]
    public void ThrowIfRefused_NoOp_ReturnsFalse()
    {
        Assert.That(DomainStateMachine.Decide(DomainOperation.Resume, DomainState.Running, 1, true, "vm").ThrowIfRefused(), Is.False);
    }

    private static (DomainVerdictKind, string?) Expected(DomainOperation operation, DomainState state, int reason, bool persistent)
    {
        const string Prefix = "Requested operation is not valid: ";
        bool active = state != DomainState.Shutoff;
        (DomainVerdictKind, string?) ok = (DomainVerdictKind.Proceed, null), noop = (DomainVerdictKind.NoOp, null);
        (DomainVerdictKind, string?) Refused(string m) => (DomainVerdictKind.Refused, Prefix + m);
        switch (operation)
        {
            case DomainOperation.Start:
                return active ? Refused("domain is already running") : ok;
            case DomainOperation.Shutdown or DomainOperation.Destroy or DomainOperation.Reboot or DomainOperation.Reset or DomainOperation.GetVcpus or DomainOperation.Block
                or DomainOperation.GetControlInfo or DomainOperation.Interfaces or DomainOperation.Memory or DomainOperation.OpenConsole:
                return active ? ok : Refused("domain is not running");
            case DomainOperation.Suspend:
                return !active ? Refused("domain is not running") : state == DomainState.PmSuspended ? Refused("domain is pmsuspended")
                    : state == DomainState.Paused && reason == DomainStateReason.PausedUser ? noop : ok;
            case DomainOperation.Resume:
                return !active ? Refused("domain is not running") : state == DomainState.PmSuspended ? Refused("domain is pmsuspended")
                    : state is DomainState.Paused or DomainState.Crashed ? ok : noop;
            case DomainOperation.Undefine:
                return persistent ? ok : Refused("cannot undefine transient domain");
            case DomainOperation.Rename:
                return !persistent ? Refused("cannot rename a transient domain") : active ? Refused("cannot rename active domain") : ok;
            case DomainOperation.SetAutostart:
                return persistent ? ok : Refused("cannot set autostart for transient domain");
            case DomainOperation.CreateOver:
                return active ? Refused("domain 'vm' is already active") : !persistent ? Refused("domain 'vm' is already being started") : ok;
        }

        throw new ArgumentOutOfRangeException(nameof(operation));
    }
}
