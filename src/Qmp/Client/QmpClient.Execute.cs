using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Kvm.Qmp.Protocol;

namespace Kvm.Qmp.Client;

public sealed partial class QmpClient
{
    /// <summary>Runs a command and returns its <c>return</c> value; QMP errors throw <see cref="QmpException"/>.</summary>
    public async Task<JsonNode?> ExecuteAsync(string command, JsonObject? arguments = null, CancellationToken cancellationToken = default, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        ObjectDisposedException.ThrowIf(_disposed, this);
        string id = "kvmd-" + Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var reply = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        try
        {
            if (_completion.Task.IsCompleted)
            {
                throw new QmpConnectionException("QMP connection is closed");
            }

            byte[] request = BuildRequest(command, arguments, id);
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _socket.SendAsync(request, System.Net.Sockets.SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                throw new QmpConnectionException("QMP connection lost", e);
            }
            finally
            {
                _sendLock.Release();
            }

            s_log.Debug("QMP -> {Command} ({Id})", command, id);
            return await reply.Task.WaitAsync(timeout ?? _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Runs a command and deserialises its return value with source-generated metadata.</summary>
    public async Task<TResult> ExecuteAsync<TResult>(string command, JsonObject? arguments, JsonTypeInfo<TResult> resultTypeInfo, CancellationToken cancellationToken = default)
    {
        JsonNode? result = await ExecuteAsync(command, arguments, cancellationToken).ConfigureAwait(false);
        return result.Deserialize(resultTypeInfo)!;
    }

    private static byte[] BuildRequest(string command, JsonObject? arguments, string id)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("execute", command);
            if (arguments is not null)
            {
                writer.WritePropertyName("arguments");
                arguments.WriteTo(writer);
            }

            writer.WriteString("id", id);
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private void OnMessage(QmpInput input)
    {
        if (input.Value is not JsonObject message)
        {
            s_log.Warn("QMP server sent something that is not an object: {Error}", input.Error);
            return;
        }

        if (message.ContainsKey("QMP"))
        {
            _greeting.Writer.TryWrite(message);
            return;
        }

        if (message["event"] is JsonValue eventName)
        {
            _events.Writer.TryWrite(new QmpEventMessage(eventName.GetValue<string>(), message["data"] as JsonObject, ReadTimestamp(message["timestamp"])));
            return;
        }

        string? id = message["id"] is JsonValue idValue && idValue.TryGetValue(out string? text) ? text : null;
        if (id is null || !_pending.TryGetValue(id, out TaskCompletionSource<JsonNode?>? reply))
        {
            s_log.Warn("QMP reply without a pending request: {Reply}", message.ToJsonString());
            return;
        }

        if (message["error"] is JsonObject error)
        {
            QmpErrorClassNames.TryParse(error["class"]?.GetValue<string>(), out QmpErrorClass errorClass);
            reply.TrySetException(new QmpException(errorClass, error["desc"]?.GetValue<string>() ?? string.Empty));
            return;
        }

        JsonNode? result = message["return"];
        message.Remove("return");
        reply.TrySetResult(result);
    }

    private static DateTimeOffset ReadTimestamp(JsonNode? timestamp)
    {
        if (timestamp is null)
        {
            return default;
        }

        long seconds = timestamp["seconds"]!.GetValue<long>();
        long micros = timestamp["microseconds"]!.GetValue<long>();
        return DateTimeOffset.UnixEpoch.AddSeconds(seconds).AddTicks(micros * 10);
    }
}
