using Kvm.Qmp.Commands;
using Kvm.Qmp.Server;

namespace Kvm.Qmp.Tests.Support;

/// <summary>A machine for tests: QEMU's -machine none behaviour plus a record of the calls it received.</summary>
internal sealed class TestMachine : IQmpMachine
{
    private readonly QmpNoneMachine _inner;

    public TestMachine(IQmpEventSink events, string? name = null, QmpRunState initialState = QmpRunState.Running, Guid uuid = default)
    {
        _inner = new QmpNoneMachine(events, name, kvmPresent: true, initialState, uuid);
    }

    public List<string> Calls { get; } = [];

    /// <summary>The arguments of the last set-action.</summary>
    public SetActionArguments? LastActions { get; private set; }

    public QmpRunState RunState => _inner.RunState;

    public string? Name => _inner.Name;

    public Guid Uuid => _inner.Uuid;

    public string Arch => _inner.Arch;

    public QmpKvmInfo Kvm => _inner.Kvm;

    /// <summary>What query-cpus-fast reports; none by default, as -machine none.</summary>
    public IReadOnlyList<QmpCpuInfoFast>? Cpus { get; init; }

    /// <summary>What query-chardev reports; none by default.</summary>
    public IReadOnlyList<QmpChardevInfo>? Chardevs { get; init; }

    public IReadOnlyList<QmpCpuInfoFast> QueryCpusFast() => Cpus ?? _inner.QueryCpusFast();

    public IReadOnlyList<QmpChardevInfo> QueryChardev() => Chardevs ?? _inner.QueryChardev();

    public ValueTask StopAsync(CancellationToken cancellationToken) => Record("stop", _inner.StopAsync(cancellationToken));

    public ValueTask ContAsync(CancellationToken cancellationToken) => Record("cont", _inner.ContAsync(cancellationToken));

    public ValueTask SystemResetAsync(CancellationToken cancellationToken) => Record("system_reset", _inner.SystemResetAsync(cancellationToken));

    public ValueTask SystemPowerdownAsync(CancellationToken cancellationToken) => Record("system_powerdown", _inner.SystemPowerdownAsync(cancellationToken));

    public ValueTask SetActionAsync(SetActionArguments actions, CancellationToken cancellationToken)
    {
        LastActions = actions;
        return Record("set-action", _inner.SetActionAsync(actions, cancellationToken));
    }

    public ValueTask QuitAsync(CancellationToken cancellationToken) => Record("quit", _inner.QuitAsync(cancellationToken));

    private ValueTask Record(string call, ValueTask task)
    {
        lock (Calls)
        {
            Calls.Add(call);
        }

        return task;
    }
}
