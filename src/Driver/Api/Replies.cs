using Kvm.Driver.Domains;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>The reply shapes the org.libvirt methods use, written with Tmds.DBus.Protocol's <see cref="MessageWriter"/>.</summary>
internal static class Replies
{
    public static void Empty(MethodContext context)
    {
        using MessageWriter writer = context.CreateReplyWriter(null);
        context.Reply(writer.CreateMessage());
    }

    public static void Error(MethodContext context, (string Name, string Message) error) => context.ReplyError(error.Name, error.Message);

    public static void ObjectPath(MethodContext context, string path)
    {
        using MessageWriter writer = context.CreateReplyWriter("o");
        writer.WriteObjectPath(path);
        context.Reply(writer.CreateMessage());
    }

    public static void ObjectPaths(MethodContext context, IEnumerable<string> paths)
    {
        MessageWriter writer = context.CreateReplyWriter("ao");
        try
        {
            ArrayStart array = writer.WriteArrayStart(DBusType.ObjectPath);
            foreach (string path in paths)
            {
                writer.WriteObjectPath(path);
            }
            writer.WriteArrayEnd(array);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    public static void String(MethodContext context, string value)
    {
        using MessageWriter writer = context.CreateReplyWriter("s");
        writer.WriteString(value);
        context.Reply(writer.CreateMessage());
    }

    public static void Boolean(MethodContext context, bool value)
    {
        using MessageWriter writer = context.CreateReplyWriter("b");
        writer.WriteBool(value);
        context.Reply(writer.CreateMessage());
    }

    public static void UInt32(MethodContext context, uint value)
    {
        using MessageWriter writer = context.CreateReplyWriter("u");
        writer.WriteUInt32(value);
        context.Reply(writer.CreateMessage());
    }

    public static void UInt64(MethodContext context, ulong value)
    {
        using MessageWriter writer = context.CreateReplyWriter("t");
        writer.WriteUInt64(value);
        context.Reply(writer.CreateMessage());
    }

    /// <summary>Node statistics, a{st}, plain (not wrapped in variants): NodeGetMemoryStats, NodeGetCPUStats.</summary>
    public static void Stats(MethodContext context, IReadOnlyList<Host.NodeStat> stats)
    {
        MessageWriter writer = context.CreateReplyWriter("a{st}");
        try
        {
            ArrayStart array = writer.WriteDictionaryStart();
            foreach (Host.NodeStat stat in stats)
            {
                writer.WriteDictionaryEntryStart();
                writer.WriteString(stat.Field);
                writer.WriteUInt64(stat.Value);
            }
            writer.WriteDictionaryEnd(array);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>virDomainMemoryStats as libvirt-dbus returns it: a{it}, tag to value, plain.</summary>
    public static void MemoryStats(MethodContext context, IReadOnlyList<Domains.DomainMemoryStat> stats)
    {
        MessageWriter writer = context.CreateReplyWriter("a{it}");
        try
        {
            ArrayStart start = writer.WriteDictionaryStart();
            foreach (Domains.DomainMemoryStat stat in stats)
            {
                writer.WriteDictionaryEntryStart();
                writer.WriteInt32(stat.Tag);
                writer.WriteUInt64(stat.Value);
            }
            writer.WriteDictionaryEnd(start);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    public static void Booleans(MethodContext context, IEnumerable<bool> values)
    {
        MessageWriter writer = context.CreateReplyWriter("ab");
        try
        {
            ArrayStart array = writer.WriteArrayStart(DBusType.Bool);
            foreach (bool value in values)
            {
                writer.WriteBool(value);
            }
            writer.WriteArrayEnd(array);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    public static void Strings(MethodContext context, IEnumerable<string> values)
    {
        MessageWriter writer = context.CreateReplyWriter("as");
        try
        {
            ArrayStart array = writer.WriteArrayStart(DBusType.String);
            foreach (string value in values)
            {
                writer.WriteString(value);
            }
            writer.WriteArrayEnd(array);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>A struct of two int32s, (ii): GetState's (state, reason).</summary>
    public static void Int32Pair(MethodContext context, int first, int second)
    {
        MessageWriter writer = context.CreateReplyWriter("(ii)");
        try
        {
            writer.WriteStructureStart();
            writer.WriteInt32(first);
            writer.WriteInt32(second);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>GetControlInfo's (state, details, stateTime), (uut).</summary>
    public static void ControlInfo(MethodContext context, uint state, uint details, ulong stateTime)
    {
        MessageWriter writer = context.CreateReplyWriter("(uut)");
        try
        {
            writer.WriteStructureStart();
            writer.WriteUInt32(state);
            writer.WriteUInt32(details);
            writer.WriteUInt64(stateTime);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>GetDiskErrors: a(si), one (disk, error code) per disk in error.</summary>
    public static void DiskErrors(MethodContext context, IReadOnlyList<(string Disk, int Error)> errors)
    {
        MessageWriter writer = context.CreateReplyWriter("a(si)");
        try
        {
            ArrayStart array = writer.WriteArrayStart(DBusType.Struct);
            foreach (var (disk, error) in errors)
            {
                writer.WriteStructureStart();
                writer.WriteString(disk);
                writer.WriteInt32(error);
            }

            writer.WriteArrayEnd(array);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>Domain.InterfaceAddresses: a(ssa(isu)), per interface its name, MAC and (type, address, prefix) entries.</summary>
    public static void InterfaceAddresses(MethodContext context, IReadOnlyList<DomainInterfaceAddresses> interfaces)
    {
        MessageWriter writer = context.CreateReplyWriter("a(ssa(isu))");
        try
        {
            ArrayStart array = writer.WriteArrayStart(DBusType.Struct);
            foreach (DomainInterfaceAddresses iface in interfaces)
            {
                writer.WriteStructureStart();
                writer.WriteString(iface.Name);
                writer.WriteString(iface.Mac ?? "");
                ArrayStart addresses = writer.WriteArrayStart(DBusType.Struct);
                foreach (DomainIpAddress address in iface.Addresses)
                {
                    writer.WriteStructureStart();
                    writer.WriteInt32(address.Type);
                    writer.WriteString(address.Address);
                    writer.WriteUInt32(address.Prefix);
                }
                writer.WriteArrayEnd(addresses);
            }

            writer.WriteArrayEnd(array);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>Typed parameters (and GetAll's properties): a{sv} with every value wrapped twice, as libvirt-dbus sends them.</summary>
    public static void TypedParameters(MethodContext context, IEnumerable<KeyValuePair<string, VariantValue>> parameters)
    {
        MessageWriter writer = context.CreateReplyWriter("a{sv}");
        try
        {
            WriteDoubleWrapped(ref writer, parameters);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>Writes an a{sv} the way libvirt-dbus does: each value wrapped in two variants.</summary>
    public static void WriteDoubleWrapped(ref MessageWriter writer, IEnumerable<KeyValuePair<string, VariantValue>> records)
    {
        ArrayStart dict = writer.WriteDictionaryStart();
        foreach ((string name, VariantValue value) in records)
        {
            writer.WriteDictionaryEntryStart();
            writer.WriteString(name);
            writer.WriteVariant(VariantValue.Variant(value));
        }
        writer.WriteDictionaryEnd(dict);
    }
}
