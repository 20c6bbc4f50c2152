using System.Text.Json.Nodes;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Commands;

/// <summary>
/// One QMP command. Derive from <see cref="QmpCommand{TArguments, TResult}"/>: the schema properties
/// drive argument checking and introspection, the type infos drive (source-generated) JSON.
/// </summary>
public abstract class QmpCommand
{
    public abstract string Name { get; }

    /// <summary>Argument type; arguments are checked against it with QEMU's messages before the command runs.</summary>
    public virtual QmpObjectType ArgumentsType => QmpObjectType.Empty;

    public abstract QmpType ReturnType { get; }

    /// <summary>May run out of band (<c>exec-oob</c>); such a command must not block.</summary>
    public virtual bool AllowOob => false;

    /// <summary>Runs the command with already checked arguments and returns the compact JSON of its return value.</summary>
    public abstract ValueTask<byte[]> InvokeAsync(QmpCommandContext context, JsonObject? arguments, CancellationToken cancellationToken);
}
