using Kvm.Qmp;
using Kvm.Qmp.Commands;
using Kvm.Vmm.Boot;
using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Machine;
using NLog;

namespace Kvm.Vmm.Monitor;

/// <summary>
/// The monitor's view of a running Linux machine: QEMU's run states and events over a <see cref="PcMachine"/>.
/// The guest's power-off, reset and crash follow the domain's on_poweroff / on_reboot / on_crash; a reset (guest or
/// system_reset) rebuilds the machine from its configuration and boots the kernel again.
/// </summary>
internal sealed partial class KvmQmpMachine : IQmpMachine, IQmpBlockMachine, IQmpPciMachine, IQmpNetMachine, IQmpBalloonMachine, IQmpQomMachine, IDisposable
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly Lock _gate = new();
    private readonly MachineConfig _config;
    private readonly LifecyclePolicy _lifecycle;
    private readonly IQmpEventSink _events;
    private readonly TaskCompletionSource<int> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly AutoResetEvent _inputRoom = new(false);
    private PcMachine? _machine;
    private QmpRunState _state;
    private QmpShutdownAction _shutdownAction;
    private QmpRebootAction _rebootAction;

    /// <param name="noShutdown">QEMU's -no-shutdown: a guest power-off stops the vCPUs instead of ending the VM.</param>
    public KvmQmpMachine(MachineConfig config, LifecyclePolicy lifecycle, IQmpEventSink events, string? name, Guid uuid, bool startPaused, bool noShutdown = false)
    {
        _config = config;
        _lifecycle = lifecycle;
        _events = events;
        Name = name;
        Uuid = uuid;
        _state = startPaused ? QmpRunState.Prelaunch : QmpRunState.Running;
        _shutdownAction = noShutdown ? QmpShutdownAction.Pause : QmpShutdownAction.Poweroff;
        _rebootAction = lifecycle.OnReboot == LifecycleChoice.Restart ? QmpRebootAction.Reset : QmpRebootAction.Shutdown;
        _balloon = config.Balloon is { } balloon ? new BalloonMonitor(balloon.Device.Name, config.MemoryBytes, balloon.Device.StatsPeriodSeconds) : null;
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

    public QmpKvmInfo Kvm { get; } = new(Enabled: true, Present: true);

    /// <summary>The character devices query-chardev reports, asked each time (a socket's filename says whether a client is connected).</summary>
    public Func<IReadOnlyList<QmpChardevInfo>> Chardevs { get; init; } = () => [];

    public IReadOnlyList<QmpChardevInfo> QueryChardev() => Chardevs();

    /// <summary>One entry per vCPU with its thread id and place in the topology, as QEMU's PC machine reports them.</summary>
    public IReadOnlyList<QmpCpuInfoFast> QueryCpusFast()
    {
        PcMachine? machine;
        lock (_gate)
        {
            machine = _machine;
        }

        if (machine is null)
        {
            return [];
        }

        var topology = machine.Topology;
        var threads = machine.VcpuThreadIds;
        var cpus = new QmpCpuInfoFast[threads.Count];
        for (int i = 0; i < cpus.Length; i++)
        {
            var props = new QmpCpuInstanceProperties(topology.CoreOf(i), topology.ThreadOf(i), topology.SocketOf(i));
            cpus[i] = new QmpCpuInfoFast(threads[i], props, $"/machine/unattached/device[{i}]", i, Arch);
        }

        return cpus;
    }

    /// <summary>
    /// Completes with the process exit code when the VM is over: 0 after quit or a destroy action, the guest's status
    /// after an isa-debug-exit write.
    /// </summary>
    public Task<int> Finished => _finished.Task;

    /// <summary>Builds the machine; it runs at once unless started paused (prelaunch, as QEMU's -S).</summary>
    public void Start()
    {
        lock (_gate)
        {
            _machine = Build();
            _machine.Start(paused: _state != QmpRunState.Running);
        }
    }

    public ValueTask StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_state == QmpRunState.Running)
            {
                _machine?.Pause();
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
            switch (_state)
            {
                case QmpRunState.Prelaunch:
                case QmpRunState.Paused:
                    _machine?.Resume();
                    break;
                case QmpRunState.Shutdown or QmpRunState.InternalError or QmpRunState.GuestPanicked:
                    // QEMU's runstate_needs_reset: the guest is gone until a system_reset builds it again.
                    throw new QmpException(QmpErrorClass.GenericError, "Resetting the Virtual Machine is required");
                default:
                    return ValueTask.CompletedTask;
            }

            _state = QmpRunState.Running;
            _events.Emit("RESUME");
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask SystemResetAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _events.Emit("RESET", new QmpShutdownEventData(false, QmpShutdownCause.HostQmpSystemReset), QmpJsonContext.Default.QmpShutdownEventData);
            Rebuild();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// set-action. <c>shutdown: pause</c> keeps the VM after the guest powers off (stopped, run state shutdown) for a
    /// system_reset and cont, as libvirt's fake reboot does; <c>poweroff</c> gives the domain's on_poweroff back.
    /// <c>reboot: shutdown</c> turns a guest reset into a power-off. This machine has no panic or watchdog device, so
    /// those two actions are accepted and never called for.
    /// </summary>
    public ValueTask SetActionAsync(SetActionArguments actions, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _shutdownAction = actions.Shutdown ?? _shutdownAction;
            _rebootAction = actions.Reboot ?? _rebootAction;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>POWERDOWN, and the ACPI power button pressed; the guest decides what to do (usually power off).</summary>
    public ValueTask SystemPowerdownAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _events.Emit("POWERDOWN");
            _machine?.PressPowerButton();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask QuitAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _events.Emit("SHUTDOWN", new QmpShutdownEventData(false, QmpShutdownCause.HostQmpQuit), QmpJsonContext.Default.QmpShutdownEventData);
            _state = QmpRunState.Shutdown;
            _machine?.Stop();
        }

        _finished.TrySetResult(0);
        return ValueTask.CompletedTask;
    }

    /// <summary>The process got SIGTERM or SIGINT: SHUTDOWN (host-signal), then the end.</summary>
    public void HostSignal()
    {
        lock (_gate)
        {
            _events.Emit("SHUTDOWN", new QmpShutdownEventData(false, QmpShutdownCause.HostSignal), QmpJsonContext.Default.QmpShutdownEventData);
            _state = QmpRunState.Shutdown;
            _machine?.Stop();
        }

        _finished.TrySetResult(0);
    }

    /// <summary>Gives typed bytes to the guest's COM1; returns how many fit in its FIFO.</summary>
    /// <summary>Set when the guest has read from a receive FIFO that refused input (and when a reset replaced the UART).</summary>
    public WaitHandle ConsoleInputRoom => _inputRoom;

    public int SendConsoleInput(ReadOnlySpan<byte> bytes)
    {
        // Deliberately outside the gate: the UART's own lock may be held by a vCPU waiting on console back-pressure,
        // and the monitor's commands must never wait behind it. A machine disposed by a reset meanwhile takes nothing
        // (Serial8250.Enqueue returns 0), so the caller offers the bytes again to the new one.
        var machine = Volatile.Read(ref _machine);
        return machine is null ? bytes.Length : machine.Serial.Enqueue(bytes);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _machine?.Dispose();
            _machine = null;
        }

        _inputRoom.Dispose();
    }

    private PcMachine Build()
    {
        var machine = PcMachine.Create(_config);
        machine.Serial.ReceiveRoomFreed += () => _inputRoom.Set();
        AttachDisks(machine);
        AttachNics(machine);
        AttachBalloon(machine);
        _inputRoom.Set();
        // The kernel and initrd were read whole (large-object heap) and copied into guest RAM: they are garbage now,
        // but a VMM allocates so little afterwards that no full collection would come to free them for a long time
        // (10 MiB and more of the VMM's own memory). One aggressive collection gives their pages back at once.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _ = machine.Exited.ContinueWith(t => OnExited(machine, t.Result), TaskScheduler.Default);
        return machine;
    }

    /// <summary>Replaces the machine by a fresh one from the same configuration, in the same run state.</summary>
    /// <remarks>
    /// When no new machine can be made (KVM or memory refused it), the VM is gone: the process ends with status 1 and
    /// no SHUTDOWN, which a monitor reads as a crash, rather than living on without a guest.
    /// </remarks>
    private void Rebuild()
    {
        var old = _machine;
        _machine = null;
        old?.Dispose();
        try
        {
            _machine = Build();
            _machine.Start(paused: _state != QmpRunState.Running);
            if (_state == QmpRunState.Shutdown)
            {
                // As QEMU: a reset after the guest powered off leaves a fresh machine that a cont starts.
                _state = QmpRunState.Prelaunch;
            }
        }
        catch (Exception e) when (e is KvmException or BootException or Firmware.FirmwareException or IOException or UnauthorizedAccessException or InvalidOperationException or OutOfMemoryException)
        {
            s_log.Error(e, "Cannot build the machine again after a reset: {Error}", e.Message);
            _machine?.Dispose();
            _machine = null;
            _state = QmpRunState.InternalError;
            _finished.TrySetResult(1);
        }
    }

    private void OnExited(PcMachine machine, MachineExit exit)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(machine, _machine) || exit.Reason == MachineExitReason.Stopped)
            {
                return;
            }

            switch (exit.Reason)
            {
                case MachineExitReason.GuestShutdown:
                    Finish(QmpShutdownCause.GuestShutdown, _lifecycle.OnPoweroff);
                    break;
                case MachineExitReason.GuestReset when _rebootAction == QmpRebootAction.Reset:
                    _events.Emit("RESET", new QmpShutdownEventData(true, QmpShutdownCause.GuestReset), QmpJsonContext.Default.QmpShutdownEventData);
                    Rebuild();
                    break;
                case MachineExitReason.GuestReset:
                    // QEMU's -no-reboot (libvirt's on_reboot destroy): the reset becomes a SHUTDOWN, without RESET.
                    Finish(QmpShutdownCause.GuestReset, LifecycleChoice.Destroy);
                    break;
                case MachineExitReason.GuestDebugExit:
                    // The user gave the guest isa-debug-exit: the process ends with the guest's status, whatever
                    // on_poweroff says. QEMU exits at once without an event; a SHUTDOWN tells monitors why it ended.
                    Finish(QmpShutdownCause.GuestShutdown, LifecycleChoice.Destroy, exit.ExitStatus, pausable: false);
                    break;
                case MachineExitReason.GuestCrash:
                    s_log.Error("The guest crashed: {Detail}", exit.Detail);
                    Finish(QmpShutdownCause.GuestPanic, _lifecycle.OnCrash, pausable: false);
                    break;
                default:
                    s_log.Error("The VM stopped on an internal error: {Detail}", exit.Detail);
                    _state = QmpRunState.InternalError;
                    _events.Emit("STOP");
                    break;
            }
        }
    }

    /// <param name="pausable">A power-off or a reset turned into one, which set-action shutdown=pause holds.</param>
    private void Finish(QmpShutdownCause cause, LifecycleChoice choice, int exitStatus = 0, bool pausable = true)
    {
        _events.Emit("SHUTDOWN", new QmpShutdownEventData(true, cause), QmpJsonContext.Default.QmpShutdownEventData);
        if (pausable && _shutdownAction == QmpShutdownAction.Pause)
        {
            // QEMU's -no-shutdown (set-action shutdown=pause): the guest is off and the VM waits, stopped, for the
            // monitor (a system_reset and cont, or quit); on_poweroff is the monitor's to carry out.
            _state = QmpRunState.Shutdown;
            _events.Emit("STOP");
            return;
        }

        if (choice == LifecycleChoice.Restart)
        {
            Rebuild();
            return;
        }

        _state = QmpRunState.Shutdown;
        _finished.TrySetResult(exitStatus);
    }
}
