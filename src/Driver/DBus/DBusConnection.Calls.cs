using Kvm.DBus.Protocol;

namespace Kvm.DBus;

public sealed partial class DBusConnection
{
    /// <summary>
    /// Sends a method call and waits for its reply. An ERROR reply throws <see cref="DBusErrorReplyException"/>;
    /// no reply within the timeout throws it with <see cref="DBusErrorNames.NoReply"/>, as libdbus does.
    /// The caller disposes the returned message.
    /// </summary>
    public async Task<Message> CallMethodAsync(MessageBuffer message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (message.Type != MessageType.MethodCall || (message.Flags & MessageFlags.NoReplyExpected) != 0)
        {
            message.Dispose();
            throw new ArgumentException("Expected a method call that expects a reply", nameof(message));
        }
        var waiter = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        uint serial = NextSerial();
        _pending[serial] = waiter;
        try
        {
            await SendCoreAsync(message, serial, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _pending.TryRemove(serial, out _);
            throw;
        }
        if (_completion.Task.IsCompleted && _pending.TryRemove(serial, out _))
        {
            ThrowHelper.ThrowDisconnected(null);
        }
        Message reply;
        TimeSpan wait = timeout ?? DefaultTimeout;
        try
        {
            reply = await waiter.Task.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _pending.TryRemove(serial, out _);
            throw new DBusErrorReplyException(DBusErrorNames.NoReply, $"No reply within {wait.TotalMilliseconds} ms");
        }
        catch (OperationCanceledException)
        {
            _pending.TryRemove(serial, out _);
            throw;
        }
        if (reply.Type == MessageType.Error)
        {
            using (reply)
            {
                throw ToException(reply);
            }
        }
        return reply;
    }

    /// <summary>Sends a message that expects no reply (a signal, a reply, a NO_REPLY_EXPECTED call); returns its serial.</summary>
    public async ValueTask<uint> SendMessageAsync(MessageBuffer message, CancellationToken cancellationToken = default)
    {
        uint serial = NextSerial();
        await SendCoreAsync(message, serial, cancellationToken).ConfigureAwait(false);
        return serial;
    }

    private uint NextSerial()
    {
        uint serial = (uint)Interlocked.Increment(ref _serial);
        return serial == 0 ? (uint)Interlocked.Increment(ref _serial) : serial;
    }

    private async ValueTask SendCoreAsync(MessageBuffer message, uint serial, CancellationToken cancellationToken)
    {
        using (message)
        {
            if (_completion.Task.IsCompleted)
            {
                ThrowHelper.ThrowDisconnected(null);
            }
            message.SetSerial(serial);
            if (s_log.IsDebugEnabled)
            {
                s_log.Debug("Sending {Type} {Member} serial {Serial} reply-to {ReplySerial} ({Length} bytes)",
                    message.Type, message.Member, serial, message.ReplySerial, message.Length);
            }
            await _stream.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    private static DBusErrorReplyException ToException(Message error)
    {
        string? text = null;
        if (error.Signature.StartsWith('s'))
        {
            try
            {
                text = error.GetBodyReader().ReadString();
            }
            catch (DBusReadException)
            {
                // The error name alone still says what happened.
            }
        }
        return new DBusErrorReplyException(error.ErrorName ?? DBusErrorNames.Failed, text);
    }
}
