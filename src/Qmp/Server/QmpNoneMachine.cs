using Kvm.Qmp.Commands;

namespace Kvm.Qmp.Server;

/// <summary>
/// The machine of <c>--machine none</c> (QEMU's <c>-machine none</c>): no guest, but the run state,
/// stop/cont/reset/powerdown events and quit behave as QEMU's do, so the protocol works anywhere.
/// </summary>
public sealed class QmpNoneMachine : IQmpMachine
{
    private readonly Lock _gate = new();
    private readonly IQmpEventSink _events;
    private readonly TaskCompletionSource _quit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private QmpRunState _state = QmpRunState.Running;

    /// <param name="initialState">Running, or Prelaunch for a monitor started like QEMU's -S.</param>
    public QmpNoneMachine(IQmpEventSink events, string? name = null, bool kvmPresent = false, QmpRunState initialState = QmpRunState.Running, Guid uuid = default)
    {
        _events = events;
        Name = name;
        Uuid = uuid;
        Kvm = new QmpKvmInfo(Enabled: false, Present: kvmPresent);
        _state = initialState;
    }

    public QmpRunState RunState
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public string? Name { get; }

    public Guid Uuid { get; }

    public string Arch => "x86_64";

    public QmpKvmInfo Kvm { get; }

    /// <summary>QEMU's none machine has no CPU.</summary>
    public IReadOnlyList<QmpCpuInfoFast> QueryCpusFast() => [];

    public IReadOnlyList<QmpChardevInfo> QueryChardev() => [];

    /// <summary>Completes when a client ran quit; the host then stops the server and exits.</summary>
    public Task QuitRequested => _quit.Task;

    public ValueTask StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_state == QmpRunState.Running)
            {
                _state = QmpRunState.Paused;
                _events.Emit("STOP");
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ContAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_state != QmpRunState.Running)
            {
                _state = QmpRunState.Running;
                _events.Emit("RESUME");
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask SystemResetAsync(CancellationToken cancellationToken)
    {
        _events.Emit("RESET", new QmpShutdownEventData(false, QmpShutdownCause.HostQmpSystemReset), QmpJsonContext.Default.QmpShutdownEventData);
        return ValueTask.CompletedTask;
    }

    public ValueTask SystemPowerdownAsync(CancellationToken cancellationToken)
    {
        _events.Emit("POWERDOWN");
        return ValueTask.CompletedTask;
    }

    /// <summary>set-action: accepted, as by QEMU's none machine; without a guest nothing ever calls for an action.</summary>
    public ValueTask SetActionAsync(SetActionArguments actions, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask QuitAsync(CancellationToken cancellationToken)
    {
        _events.Emit("SHUTDOWN", new QmpShutdownEventData(false, QmpShutdownCause.HostQmpQuit), QmpJsonContext.Default.QmpShutdownEventData);
        _quit.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
