using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>qom-get: a device's <c>type</c>, and the balloon's <c>guest-stats</c> and <c>guest-stats-polling-interval</c>.</summary>
public sealed class QomGetCommand : QmpCommand<QomPropertyArguments, JsonNode>
{
    public override string Name => "qom-get";

    public override QmpObjectType ArgumentsType => QmpBalloonSchema.QomGetArguments;

    public override QmpType ReturnType => QmpBuiltinType.Any;

    protected override JsonTypeInfo<QomPropertyArguments> ArgumentsTypeInfo => QmpJsonContext.Default.QomPropertyArguments;

    protected override JsonTypeInfo<JsonNode> ResultTypeInfo => QmpJsonContext.Default.JsonNode;

    protected override ValueTask<JsonNode> ExecuteAsync(QmpCommandContext context, QomPropertyArguments arguments, CancellationToken cancellationToken)
    {
        var (id, type) = QomTree.Device(context.Machine, arguments.Path);
        var balloon = QomTree.BalloonNamed(context.Machine, id);
        JsonNode value = (arguments.Property, balloon) switch
        {
            ("type", _) => JsonValue.Create(type),
            (QomTree.GuestStats, { } b) => JsonSerializer.SerializeToNode(b.GuestStats, QmpJsonContext.Default.QmpGuestStats)!,
            (QomTree.PollingInterval, { } b) => JsonValue.Create((long)b.PollingInterval),
            _ => throw QomTree.NoProperty(type, arguments.Property),
        };
        return ValueTask.FromResult(value);
    }
}
