using System.Diagnostics.CodeAnalysis;
using Kvm.Qmp.Protocol;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>
/// The one source of truth for what the monitor supports: dispatch, query-commands and
/// query-qmp-schema are all derived from the commands and events registered here.
/// </summary>
public sealed class QmpCommandRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, QmpCommand> _commands = new(StringComparer.Ordinal);
    private readonly List<QmpCommand> _ordered = [];
    private readonly List<QmpEventDefinition> _events = [];
    private byte[]? _schemaJson;

    public IReadOnlyList<QmpCommand> Commands
    {
        get
        {
            lock (_gate)
            {
                return _ordered.ToArray();
            }
        }
    }

    public IReadOnlyList<QmpEventDefinition> Events
    {
        get
        {
            lock (_gate)
            {
                return _events.ToArray();
            }
        }
    }

    /// <summary>A registry with the core commands (protocol, introspection, run control, HMP, disks, PCI, NICs, the balloon and QOM) and their events.</summary>
    public static QmpCommandRegistry CreateDefault()
    {
        var registry = new QmpCommandRegistry();
        registry.Add(new QmpCapabilitiesCommand());
        registry.Add(new QueryVersionCommand());
        registry.Add(new QueryCommandsCommand());
        registry.Add(new QueryQmpSchemaCommand());
        registry.Add(new QueryStatusCommand());
        registry.Add(new QueryNameCommand());
        registry.Add(new QueryUuidCommand());
        registry.Add(new QueryKvmCommand());
        registry.Add(new QueryTargetCommand());
        registry.Add(new QueryCpusFastCommand());
        registry.Add(new QueryChardevCommand());
        registry.Add(new MachineActionCommand("stop", static (m, ct) => m.StopAsync(ct)));
        registry.Add(new MachineActionCommand("cont", static (m, ct) => m.ContAsync(ct)));
        registry.Add(new MachineActionCommand("system_reset", static (m, ct) => m.SystemResetAsync(ct)));
        registry.Add(new MachineActionCommand("system_powerdown", static (m, ct) => m.SystemPowerdownAsync(ct)));
        registry.Add(new MachineActionCommand("quit", static (m, ct) => m.QuitAsync(ct), closeAfterReply: true));
        registry.Add(new SetActionCommand());
        registry.Add(new QueryBlockCommand());
        registry.Add(new QueryBlockstatsCommand());
        registry.Add(new BlockResizeCommand());
        registry.Add(new QueryPciCommand());
        registry.Add(new SetLinkCommand());
        registry.Add(new QueryRxFilterCommand());
        registry.Add(new QueryBalloonCommand());
        registry.Add(new BalloonCommand());
        registry.Add(new QomListCommand());
        registry.Add(new QomGetCommand());
        registry.Add(new QomSetCommand());
        registry.Add(new HumanMonitorCommand());
        foreach (QmpEventDefinition definition in QmpCoreSchema.LifecycleEvents)
        {
            registry.AddEvent(definition);
        }

        foreach (QmpEventDefinition definition in QmpBlockSchema.Events)
        {
            registry.AddEvent(definition);
        }

        return registry;
    }

    public void Add(QmpCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        lock (_gate)
        {
            if (!_commands.TryAdd(command.Name, command))
            {
                ThrowHelper.ThrowArgument($"Command {command.Name} is already registered", nameof(command));
            }

            _ordered.Add(command);
            _schemaJson = null;
        }
    }

    public void AddEvent(QmpEventDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        lock (_gate)
        {
            _events.Add(definition);
            _schemaJson = null;
        }
    }

    public bool TryGet(string name, [NotNullWhen(true)] out QmpCommand? command)
    {
        lock (_gate)
        {
            return _commands.TryGetValue(name, out command);
        }
    }

    /// <summary>The compact JSON of query-qmp-schema's return, built once per registry content.</summary>
    public byte[] GetSchemaJson()
    {
        lock (_gate)
        {
            if (_schemaJson is null)
            {
                var builder = new QmpSchemaInfoBuilder();
                foreach (QmpCommand command in _ordered)
                {
                    builder.AddCommand(command.Name, command.ArgumentsType, command.ReturnType, command.AllowOob);
                }

                foreach (QmpEventDefinition definition in _events)
                {
                    builder.AddEvent(definition.Name, definition.Data);
                }

                _schemaJson = QmpMessages.ToCompact(builder.Build());
            }

            return _schemaJson;
        }
    }
}
