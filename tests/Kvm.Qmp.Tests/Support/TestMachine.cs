using Kvm.Qmp.Commands;
using Kvm.Qmp.Server;

namespace Kvm.Qmp.Tests.Support;

/// <summary>A machine for tests: QEMU's -machine none behaviour plus a record of the calls it received.</summary>
internal sealed class TestMachine : IQmpMachine, IQmpBlockMachine, IQmpPciMachine, IQmpNetMachine, IQmpBalloonMachine, IQmpQomMachine
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

    /// <summary>What query-block reports; none by default, as -machine none.</summary>
    public IReadOnlyList<QmpBlockInfo> Blocks { get; init; } = [];

    /// <summary>What query-blockstats reports (either mode); none by default.</summary>
    public IReadOnlyList<QmpBlockStats> BlockStats { get; init; } = [];

    /// <summary>The memory balloon; none by default, as -machine none.</summary>
    public IQmpBalloon? Balloon { get; init; }

    /// <summary>What qom-list shows under /machine/peripheral; none by default.</summary>
    public IReadOnlyList<QmpObjectPropertyInfo> Peripherals { get; init; } = [];

    /// <summary>The NICs set_link finds, with their link state (none by default, as -machine none).</summary>
    public Dictionary<string, bool> Links { get; init; } = [];

    public bool SetLink(string name, bool up)
    {
        Calls.Add("set_link");
        if (!Links.ContainsKey(name))
        {
            return false;
        }

        Links[name] = up;
        return true;
    }

    /// <summary>What query-rx-filter reports; none by default, as -machine none.</summary>
    public IReadOnlyList<QmpRxFilterInfo> RxFilters { get; init; } = [];

    public IReadOnlyList<QmpRxFilterInfo> QueryRxFilter() => RxFilters;

    /// <summary>Netdevs without a NIC of their own name: libvirt's hostnetN for each NIC in <see cref="RxFilters"/>.</summary>
    public bool IsNetdev(string name) => RxFilters.Any(f => "host" + f.Name == name);

    /// <summary>What query-pci reports; none by default, as -machine none (no host bridge).</summary>
    public IReadOnlyList<QmpPciInfo> Pci { get; init; } = [];

    /// <summary>The node name block_resize accepts (null: none, every resize fails as QEMU's lookup does).</summary>
    public string? ResizableNode { get; init; }

    /// <summary>The sizes block_resize was given for <see cref="ResizableNode"/>.</summary>
    public List<long> Resizes { get; } = [];

    public IReadOnlyList<QmpBlockInfo> QueryBlock() => Blocks;

    public IReadOnlyList<QmpBlockStats> QueryBlockstats(bool queryNodes) => BlockStats;

    public IReadOnlyList<QmpPciInfo> QueryPci() => Pci;

    public ValueTask BlockResizeAsync(string? device, string? nodeName, long size, CancellationToken cancellationToken)
    {
        if (ResizableNode is null || nodeName != ResizableNode)
        {
            throw QmpBlockErrors.NotFound(device, nodeName);
        }

        if (size < 0)
        {
            throw QmpBlockErrors.NegativeSize();
        }

        Resizes.Add(size);
        return Record("block_resize", ValueTask.CompletedTask);
    }

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
