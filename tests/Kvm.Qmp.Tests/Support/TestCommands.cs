using System.Text.Json.Nodes;
using Kvm.Qmp.Commands;
using Kvm.Qmp.Protocol;
using Kvm.Qmp.Schema;

namespace Kvm.Qmp.Tests.Support;

/// <summary>
/// Commands a VMM would add, written against the registry API the way the VMM will: device_del
/// (DeviceNotFound), migrate-pause (allow-oob), and a blocking one.
/// </summary>
internal static class TestCommands
{
    public static QmpCommandRegistry CreateRegistry(SemaphoreSlim? blocker = null)
    {
        QmpCommandRegistry registry = QmpCommandRegistry.CreateDefault();
        registry.Add(new DeviceDelCommand());
        registry.Add(new FailingCommand("migrate-pause", QmpErrorClass.GenericError, "migrate-pause is currently only supported during postcopy-active state", allowOob: true));
        registry.Add(new BlockingCommand(blocker ?? new SemaphoreSlim(0)));
        registry.Add(new BuggyCommand());
        return registry;
    }

    private sealed class DeviceDelCommand : QmpCommand
    {
        private static readonly QmpObjectType s_arguments = new("q_obj_device_del-arg", new QmpMember("id", QmpBuiltinType.Str));

        public override string Name => "device_del";

        public override QmpObjectType ArgumentsType => s_arguments;

        public override QmpType ReturnType => QmpObjectType.Empty;

        public override ValueTask<byte[]> InvokeAsync(QmpCommandContext context, JsonObject? arguments, CancellationToken cancellationToken) =>
            throw new QmpException(QmpErrorClass.DeviceNotFound, $"Device '{arguments!["id"]!.GetValue<string>()}' not found");
    }

    private sealed class FailingCommand(string name, QmpErrorClass errorClass, string desc, bool allowOob) : QmpCommand
    {
        public override string Name => name;

        public override bool AllowOob => allowOob;

        public override QmpType ReturnType => QmpObjectType.Empty;

        public override ValueTask<byte[]> InvokeAsync(QmpCommandContext context, JsonObject? arguments, CancellationToken cancellationToken) =>
            throw new QmpException(errorClass, desc);
    }

    /// <summary>x-bug: a command with a bug (throws something other than QmpException).</summary>
    private sealed class BuggyCommand : QmpCommand
    {
        public override string Name => "x-bug";

        public override QmpType ReturnType => QmpObjectType.Empty;

        public override ValueTask<byte[]> InvokeAsync(QmpCommandContext context, JsonObject? arguments, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("Bug");
    }

    /// <summary>x-block: an in-band command that waits until the test releases it.</summary>
    private sealed class BlockingCommand(SemaphoreSlim blocker) : QmpCommand
    {
        public override string Name => "x-block";

        public override QmpType ReturnType => QmpObjectType.Empty;

        public override async ValueTask<byte[]> InvokeAsync(QmpCommandContext context, JsonObject? arguments, CancellationToken cancellationToken)
        {
            await blocker.WaitAsync(cancellationToken).ConfigureAwait(false);
            return QmpMessages.ToCompact(new JsonObject());
        }
    }
}
