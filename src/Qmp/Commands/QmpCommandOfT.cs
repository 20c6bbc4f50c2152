using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Kvm.Qmp.Commands;

/// <summary>A command with typed arguments and result, (de)serialised through source-generated metadata.</summary>
public abstract class QmpCommand<TArguments, TResult> : QmpCommand
{
    protected abstract JsonTypeInfo<TArguments> ArgumentsTypeInfo { get; }

    protected abstract JsonTypeInfo<TResult> ResultTypeInfo { get; }

    public sealed override async ValueTask<byte[]> InvokeAsync(QmpCommandContext context, JsonObject? arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        TArguments args = (arguments ?? []).Deserialize(ArgumentsTypeInfo)!;
        TResult result = await ExecuteAsync(context, args, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.SerializeToUtf8Bytes(result, ResultTypeInfo);
    }

    protected abstract ValueTask<TResult> ExecuteAsync(QmpCommandContext context, TArguments arguments, CancellationToken cancellationToken);
}
