namespace Kvm.Qmp.Commands;

/// <summary>The empty object: arguments of commands that take none, and the <c>{}</c> most commands return.</summary>
public sealed record QmpEmpty
{
    public static QmpEmpty Instance { get; } = new();
}
