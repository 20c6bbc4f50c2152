using System.Text.Json.Nodes;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>query-qmp-schema: the registry's cached SchemaInfo array, written as is.</summary>
public sealed class QueryQmpSchemaCommand : QmpCommand
{
    public override string Name => "query-qmp-schema";

    public override QmpType ReturnType => QmpCoreSchema.SchemaInfoList;

    public override ValueTask<byte[]> InvokeAsync(QmpCommandContext context, JsonObject? arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult(context.Registry.GetSchemaJson());
    }
}
