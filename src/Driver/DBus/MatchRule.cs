using System.Text;
using Kvm.DBus.Protocol;

namespace Kvm.DBus;

/// <summary>
/// A match rule (specification, "Match Rules"): sent to the bus with AddMatch, and applied locally to route
/// incoming signals to the handlers that asked for them.
/// </summary>
public sealed record MatchRule
{
    public MessageType Type { get; init; } = MessageType.Signal;
    public string? Sender { get; init; }
    public string? Interface { get; init; }
    public string? Member { get; init; }
    public string? Path { get; init; }
    public string? PathNamespace { get; init; }
    public string? Arg0 { get; init; }

    public override string ToString()
    {
        var sb = new StringBuilder();
        Append(sb, "type", Type switch
        {
            MessageType.MethodCall => "method_call",
            MessageType.MethodReturn => "method_return",
            MessageType.Error => "error",
            MessageType.Signal => "signal",
            MessageType.Invalid => null,
        });
        Append(sb, "sender", Sender);
        Append(sb, "interface", Interface);
        Append(sb, "member", Member);
        Append(sb, "path", Path);
        Append(sb, "path_namespace", PathNamespace);
        Append(sb, "arg0", Arg0);
        return sb.ToString();
    }

    /// <summary>True when <paramref name="message"/> satisfies the rule (sender is compared only when it is a unique name).</summary>
    public bool Matches(Message message)
    {
        if (Type != MessageType.Invalid && message.Type != Type)
        {
            return false;
        }
        if (Sender is not null && Sender.StartsWith(':') && message.Sender != Sender)
        {
            return false;
        }
        if ((Interface is not null && message.Interface != Interface) || (Member is not null && message.Member != Member)
            || (Path is not null && message.Path != Path))
        {
            return false;
        }
        if (PathNamespace is not null && message.Path is { } path
            && !(path == PathNamespace || path.StartsWith(PathNamespace == "/" ? "/" : PathNamespace + "/", StringComparison.Ordinal)))
        {
            return false;
        }
        if (Arg0 is not null)
        {
            if (!message.Signature.StartsWith('s'))
            {
                return false;
            }
            try
            {
                if (message.GetBodyReader().ReadString() != Arg0)
                {
                    return false;
                }
            }
            catch (DBusReadException)
            {
                return false;
            }
        }
        return true;
    }

    // Values are quoted; a quote inside becomes '\'' (close, escaped quote, reopen) as the specification says.
    private static void Append(StringBuilder sb, string key, string? value)
    {
        if (value is null)
        {
            return;
        }
        if (sb.Length > 0)
        {
            sb.Append(',');
        }
        sb.Append(key).Append("='").Append(value.Replace("'", "'\\''")).Append('\'');
    }
}
