using Kvm.DBus.Protocol;
using Kvm.DBus.Service;

namespace Kvm.DBus.Bench;

/// <summary>org.kvm.Bench.Echo(s) → s, the call measured through dbus-daemon.</summary>
internal sealed class EchoInterface : IDBusInterface
{
    public InterfaceDescription Description { get; } = new("org.kvm.Bench",
        [new MethodDescription("Echo", [new("text", "s")], [new("text", "s")])], [], []);

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        switch ((context.Request.Member, context.Request.Signature))
        {
            case ("Echo", "s"):
                ReadOnlySpan<byte> text = context.Request.GetBodyReader().ReadStringAsSpan();
                MessageWriter writer = context.CreateReplyWriter("s");
                writer.WriteString(text);
                context.Reply(writer.CreateMessage());
                break;
        }
        return ValueTask.CompletedTask;
    }

    public bool TryWriteProperty(string path, string name, ref MessageWriter writer) => false;

    public PropertySetResult TrySetProperty(string path, string name, ref Reader reader) => PropertySetResult.InvalidValue;
}
