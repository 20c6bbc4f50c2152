using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kvm.Qmp.Protocol;

/// <summary>
/// Builds complete wire messages (QEMU's member order, QEMU's formatting, <c>\r\n</c> terminated).
/// Each message is an immutable array so one event can be queued to many clients.
/// </summary>
public static class QmpMessages
{
    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,

        // An id may nest as deep as input allows (QEMU: 1024) plus the reply's own object.
        MaxDepth = 2 * QmpInputLimits.Default.MaxNesting,
    };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_compact;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_wire;

    /// <summary><c>{"QMP": {"version": VERSION, "capabilities": [...]}}</c>.</summary>
    public static byte[] Greeting(ReadOnlySpan<byte> compactVersion, IReadOnlyList<string> capabilities)
    {
        Utf8JsonWriter writer = Begin(out ArrayBufferWriter<byte> compact);
        writer.WriteStartObject();
        writer.WriteStartObject("QMP");
        writer.WritePropertyName("version");
        writer.WriteRawValue(compactVersion, skipInputValidation: true);
        writer.WriteStartArray("capabilities");
        foreach (string capability in capabilities)
        {
            writer.WriteStringValue(capability);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
        return Finish(writer, compact);
    }

    /// <summary><c>{"return": VALUE, "id": ID}</c> (QEMU puts the id last on success).</summary>
    public static byte[] Return(ReadOnlySpan<byte> compactValue, QmpRequestId id)
    {
        Utf8JsonWriter writer = Begin(out ArrayBufferWriter<byte> compact);
        writer.WriteStartObject();
        writer.WritePropertyName("return");
        writer.WriteRawValue(compactValue, skipInputValidation: true);
        WriteId(writer, id);
        writer.WriteEndObject();
        return Finish(writer, compact);
    }

    /// <summary><c>{"id": ID, "error": {"class": ..., "desc": ...}}</c> (QEMU puts the id first on error).</summary>
    public static byte[] Error(QmpErrorClass errorClass, string desc, QmpRequestId id)
    {
        Utf8JsonWriter writer = Begin(out ArrayBufferWriter<byte> compact);
        writer.WriteStartObject();
        WriteId(writer, id);
        writer.WriteStartObject("error");
        writer.WriteString("class", QmpErrorClassNames.ToName(errorClass));
        writer.WriteString("desc", desc);
        writer.WriteEndObject();
        writer.WriteEndObject();
        return Finish(writer, compact);
    }

    /// <summary><c>{"timestamp": {...}, "event": NAME, "data": DATA}</c>; no data member when data is empty.</summary>
    public static byte[] Event(string name, ReadOnlySpan<byte> compactData, DateTimeOffset timestamp)
    {
        Utf8JsonWriter writer = Begin(out ArrayBufferWriter<byte> compact);
        long microsecondsSinceEpoch = (timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        writer.WriteStartObject();
        writer.WriteStartObject("timestamp");
        writer.WriteNumber("seconds", microsecondsSinceEpoch / 1_000_000);
        writer.WriteNumber("microseconds", microsecondsSinceEpoch % 1_000_000);
        writer.WriteEndObject();
        writer.WriteString("event", name);
        if (!compactData.IsEmpty)
        {
            writer.WritePropertyName("data");
            writer.WriteRawValue(compactData, skipInputValidation: true);
        }

        writer.WriteEndObject();
        return Finish(writer, compact);
    }

    /// <summary>Serialises a JSON node compactly (used for ids and untyped values).</summary>
    public static byte[] ToCompact(JsonNode? node)
    {
        Utf8JsonWriter writer = Begin(out ArrayBufferWriter<byte> compact);
        WriteNode(writer, node);
        writer.Flush();
        return compact.WrittenSpan.ToArray();
    }

    private static void WriteId(Utf8JsonWriter writer, QmpRequestId id)
    {
        if (id.IsPresent)
        {
            writer.WritePropertyName("id");
            WriteNode(writer, id.Value);
        }
    }

    private static void WriteNode(Utf8JsonWriter writer, JsonNode? node)
    {
        if (node is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            node.WriteTo(writer);
        }
    }

    private static Utf8JsonWriter Begin(out ArrayBufferWriter<byte> compact)
    {
        compact = t_compact ??= new ArrayBufferWriter<byte>(256);
        compact.ResetWrittenCount();
        return new Utf8JsonWriter(compact, s_writerOptions);
    }

    private static byte[] Finish(Utf8JsonWriter writer, ArrayBufferWriter<byte> compact)
    {
        writer.Flush();
        writer.Dispose();
        ArrayBufferWriter<byte> wire = t_wire ??= new ArrayBufferWriter<byte>(256);
        wire.ResetWrittenCount();
        QmpWireFormat.Rewrite(compact.WrittenSpan, wire);
        wire.Write("\r\n"u8);
        return wire.WrittenSpan.ToArray();
    }
}
