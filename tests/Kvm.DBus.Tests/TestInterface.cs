using Kvm.DBus.Protocol;
using Kvm.DBus.Service;

namespace Kvm.DBus.Tests;

/// <summary>A small interface exported in tests: org.kvm.Test, dispatched with a switch on (member, signature).</summary>
internal sealed class TestInterface : IDBusInterface
{
    public const string Name = "org.kvm.Test";
    private readonly Lock _gate = new();
    private string _label = "initial";
    private uint _count;

    public static InterfaceDescription TestDescription { get; } = new(Name,
        [
            new MethodDescription("Echo", [new("text", "s")], [new("text", "s")]),
            new MethodDescription("Add", [new("a", "i"), new("b", "i")], [new("sum", "i")]),
            new MethodDescription("Sleep", [new("ms", "u")], []),
            new MethodDescription("Fail", [], []),
            new MethodDescription("Where", [], [new("path", "o")]),
            new MethodDescription("EmitPing", [new("text", "s")], []),
            new MethodDescription("ReadFd", [new("fd", "h")], [new("text", "s")]),
            new MethodDescription("Summarise", [new("props", "a{sv}")], [new("count", "u"), new("keys", "as")]),
            new MethodDescription("Throw", [], []),
            new MethodDescription("Refuse", [], []),
            new MethodDescription("OpenFile", [new("path", "s")], [new("fd", "h")]),
        ],
        [new SignalDescription("Ping", [new("text", "s")])],
        [new PropertyDescription("Label", "s", PropertyAccess.ReadWrite), new PropertyDescription("Count", "u", PropertyAccess.Read)]);

    public InterfaceDescription Description => TestDescription;

    public async ValueTask HandleMethodAsync(MethodContext context)
    {
        Message call = context.Request;
        Interlocked.Increment(ref _count);
        switch ((call.Member, call.Signature))
        {
            case ("Echo", "s"):
                ReplyString(context, call.GetBodyReader().ReadString());
                break;
            case ("Add", "ii"):
            {
                Reader reader = call.GetBodyReader();
                int sum = reader.ReadInt32() + reader.ReadInt32();
                MessageWriter writer = context.CreateReplyWriter("i");
                writer.WriteInt32(sum);
                context.Reply(writer.CreateMessage());
                break;
            }
            case ("Sleep", "u"):
                await Task.Delay((int)call.GetBodyReader().ReadUInt32()).ConfigureAwait(false);
                context.ReplyEmpty();
                break;
            case ("Fail", ""):
                context.ReplyError("org.kvm.Error.Failed", "Failed on purpose");
                break;
            case ("Where", ""):
            {
                MessageWriter writer = context.CreateReplyWriter("o");
                writer.WriteObjectPath(call.Path!);
                context.Reply(writer.CreateMessage());
                break;
            }
            case ("EmitPing", "s"):
            {
                string text = call.GetBodyReader().ReadString();
                MessageWriter writer = context.Connection.GetMessageWriter();
                writer.WriteSignalHeader(null, call.Path!, Name, "Ping", "s");
                writer.WriteString(text);
                await context.Connection.EmitSignalAsync(writer.CreateMessage()).ConfigureAwait(false);
                context.ReplyEmpty();
                break;
            }
            case ("ReadFd", "h"):
            {
                int index = call.GetBodyReader().ReadHandleIndex();
                using Microsoft.Win32.SafeHandles.SafeFileHandle? handle = call.TakeHandle(index);
                using var stream = new FileStream(handle!, FileAccess.Read);
                using var text = new StreamReader(stream);
                ReplyString(context, await text.ReadToEndAsync().ConfigureAwait(false));
                break;
            }
            case ("Throw", ""):
                throw new InvalidOperationException("Handler bug");
            case ("Refuse", ""):
                throw new DBusErrorReplyException("org.libvirt.Error.OperationInvalid", "domain is not running");
            case ("OpenFile", "s"):
            {
                // The descriptor must stay open until the reply is on the wire: await the send before closing it.
                using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(call.GetBodyReader().ReadString());
                await context.ReplyAsync(CreateFdReply(context, handle)).ConfigureAwait(false);
                break;
            }
            case ("Summarise", "a{sv}"):
            {
                Reader reader = call.GetBodyReader();
                var keys = new List<string>();
                ArrayEnd end = reader.ReadArrayStart(DBusType.DictEntry);
                while (reader.HasNext(end))
                {
                    reader.AlignStruct();
                    keys.Add(reader.ReadString());
                    reader.ReadVariant();
                }
                MessageWriter writer = context.CreateReplyWriter("uas");
                writer.WriteUInt32((uint)keys.Count);
                ArrayStart array = writer.WriteArrayStart(DBusType.String);
                foreach (string key in keys)
                {
                    writer.WriteString(key);
                }
                writer.WriteArrayEnd(array);
                context.Reply(writer.CreateMessage());
                break;
            }
        }
    }

    private static MessageBuffer CreateFdReply(MethodContext context, Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        MessageWriter writer = context.CreateReplyWriter("h");
        writer.WriteHandle(handle);
        return writer.CreateMessage();
    }

    public bool TryWriteProperty(string path, string name, ref MessageWriter writer)
    {
        switch (name)
        {
            case "Label":
                lock (_gate)
                {
                    writer.WriteVariantString(_label);
                }
                return true;
            case "Count":
                writer.WriteVariantUInt32(Volatile.Read(ref _count));
                return true;
            default:
                return false;
        }
    }

    public PropertySetResult TrySetProperty(string path, string name, ref Reader reader)
    {
        if (name != "Label")
        {
            return PropertySetResult.InvalidValue;
        }
        string value = reader.ReadString();
        if (value.Length == 0)
        {
            return PropertySetResult.InvalidValue;
        }
        lock (_gate)
        {
            if (value == _label)
            {
                return PropertySetResult.Unchanged;
            }
            _label = value;
        }
        return PropertySetResult.Set;
    }

    private static void ReplyString(MethodContext context, string text)
    {
        MessageWriter writer = context.CreateReplyWriter("s");
        writer.WriteString(text);
        context.Reply(writer.CreateMessage());
    }
}
