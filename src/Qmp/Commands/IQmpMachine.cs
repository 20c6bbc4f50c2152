namespace Kvm.Qmp.Commands;

/// <summary>
/// The machine a monitor controls, implemented by the VMM. Methods that change the run state emit
/// their events (STOP, RESUME, RESET, POWERDOWN, SHUTDOWN) through an <see cref="IQmpEventSink"/>
/// before they complete, so the events reach the client before the reply, as in QEMU. Failures are
/// reported as <see cref="QmpException"/>.
/// </summary>
public interface IQmpMachine
{
    QmpRunState RunState { get; }

    /// <summary>The -name of the VM, or null.</summary>
    string? Name { get; }

    /// <summary>The -uuid of the VM (all zeros when none was given).</summary>
    Guid Uuid { get; }

    /// <summary>QAPI SysEmuTarget, e.g. x86_64.</summary>
    string Arch { get; }

    QmpKvmInfo Kvm { get; }

    /// <summary>The vCPUs for query-cpus-fast (empty for a machine without any).</summary>
    IReadOnlyList<QmpCpuInfoFast> QueryCpusFast();

    /// <summary>The character devices for query-chardev.</summary>
    IReadOnlyList<QmpChardevInfo> QueryChardev();

    ValueTask StopAsync(CancellationToken cancellationToken);

    ValueTask ContAsync(CancellationToken cancellationToken);

    ValueTask SystemResetAsync(CancellationToken cancellationToken);

    ValueTask SystemPowerdownAsync(CancellationToken cancellationToken);

    /// <summary>
    /// set-action: the given actions replace the current ones (a machine without the device an action is for keeps
    /// it for when it has one, as QEMU does).
    /// </summary>
    ValueTask SetActionAsync(SetActionArguments actions, CancellationToken cancellationToken);

    /// <summary>Emits SHUTDOWN (host-qmp-quit) and starts shutting the process down.</summary>
    ValueTask QuitAsync(CancellationToken cancellationToken);
}
