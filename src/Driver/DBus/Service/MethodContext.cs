using Kvm.DBus.Protocol;

namespace Kvm.DBus.Service;

/// <summary>One incoming method call and the means to answer it exactly once.</summary>
public sealed class MethodContext
{
    private int _replied;

    internal MethodContext(DBusConnection connection, Message request)
    {
        Connection = connection;
        Request = request;
    }

    public DBusConnection Connection { get; }

    public Message Request { get; }

    public bool NoReplyExpected => Request.NoReplyExpected;

    public bool ReplySent => _replied != 0;

    /// <summary>A writer whose header is already the METHOD_RETURN for this call; write the body, then <see cref="Reply"/>.</summary>
    public MessageWriter CreateReplyWriter(string? signature)
    {
        var writer = new MessageWriter();
        writer.WriteMethodReturnHeader(Request.Serial, Request.Sender, signature);
        return writer;
    }

    /// <summary>Sends the reply without waiting for it to be written.</summary>
    public void Reply(MessageBuffer reply)
    {
        if (TryClaim(reply))
        {
            _ = SendAsync(reply);
        }
    }

    /// <summary>Sends the reply and waits until it is written: use it when the reply carries descriptors you close afterwards.</summary>
    public ValueTask ReplyAsync(MessageBuffer reply) => TryClaim(reply) ? new ValueTask(SendAsync(reply)) : ValueTask.CompletedTask;

    private bool TryClaim(MessageBuffer reply)
    {
        if (Interlocked.Exchange(ref _replied, 1) != 0)
        {
            reply.Dispose();
            throw new InvalidOperationException("The call was already answered");
        }
        if (NoReplyExpected)
        {
            reply.Dispose();
            return false;
        }
        return true;
    }

    /// <summary>An empty METHOD_RETURN.</summary>
    public void ReplyEmpty() => Reply(CreateReplyWriter(null).CreateMessage());

    public void ReplyError(string errorName, string? errorMessage)
    {
        var writer = new MessageWriter();
        writer.WriteErrorHeader(Request.Serial, Request.Sender, errorName, errorMessage is null ? null : "s");
        if (errorMessage is not null)
        {
            writer.WriteString(errorMessage);
        }
        Reply(writer.CreateMessage());
    }

    private async Task SendAsync(MessageBuffer reply)
    {
        try
        {
            await Connection.SendMessageAsync(reply).ConfigureAwait(false);
        }
        catch (DBusConnectionException)
        {
            // The caller is gone with the connection; Completion reports that.
        }
    }
}
