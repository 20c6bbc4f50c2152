using Kvm.DBus.Protocol;

namespace Kvm.DBus;

public sealed partial class DBusConnection
{
    public const string BusName = "org.freedesktop.DBus";
    public const string BusPath = "/org/freedesktop/DBus";
    public const string BusInterface = "org.freedesktop.DBus";

    /// <summary>Raised (on the signal task) when the bus says this connection lost a name it owned.</summary>
    public event Action<string>? NameLost;

    /// <summary>Raised (on the signal task) when the bus says this connection acquired a name.</summary>
    public event Action<string>? NameAcquired;

    /// <summary>org.freedesktop.DBus.Hello: the first call on a bus connection; returns the unique name.</summary>
    public async Task<string> HelloAsync(CancellationToken cancellationToken = default)
    {
        UniqueName = await CallBusAsync("Hello", null, null, cancellationToken, (ref Reader r) => r.ReadString()).ConfigureAwait(false);
        s_log.Debug("Connected to the bus as {UniqueName}", UniqueName);
        return UniqueName;
    }

    public async Task<RequestNameReply> RequestNameAsync(string name, RequestNameFlags flags = RequestNameFlags.None, CancellationToken cancellationToken = default)
    {
        CheckBusName(name);
        var result = (RequestNameReply)await CallBusAsync("RequestName", "su", name, cancellationToken, (ref Reader r) => r.ReadUInt32(), (uint)flags).ConfigureAwait(false);
        s_log.Info("RequestName {Name}: {Result}", name, result);
        return result;
    }

    public async Task<ReleaseNameReply> ReleaseNameAsync(string name, CancellationToken cancellationToken = default)
    {
        CheckBusName(name);
        var result = (ReleaseNameReply)await CallBusAsync("ReleaseName", "s", name, cancellationToken, (ref Reader r) => r.ReadUInt32()).ConfigureAwait(false);
        s_log.Info("ReleaseName {Name}: {Result}", name, result);
        return result;
    }

    public Task AddMatchAsync(string rule, CancellationToken cancellationToken = default) =>
        CallBusAsync("AddMatch", "s", rule, cancellationToken, (ref Reader _) => 0);

    public Task RemoveMatchAsync(string rule, CancellationToken cancellationToken = default) =>
        CallBusAsync("RemoveMatch", "s", rule, cancellationToken, (ref Reader _) => 0);

    /// <summary>The unique name owning <paramref name="name"/>; throws NameHasNoOwner when none does.</summary>
    public Task<string> GetNameOwnerAsync(string name, CancellationToken cancellationToken = default) =>
        CallBusAsync("GetNameOwner", "s", name, cancellationToken, (ref Reader r) => r.ReadString());

    /// <summary>Watches NameOwnerChanged for <paramref name="name"/> (or every name when null): handler(name, oldOwner, newOwner).</summary>
    public Task<IAsyncDisposable> WatchNameOwnerChangedAsync(string? name, Action<string, string, string> handler, CancellationToken cancellationToken = default)
    {
        var rule = new MatchRule { Sender = BusName, Path = BusPath, Interface = BusInterface, Member = "NameOwnerChanged", Arg0 = name };
        return WatchSignalAsync(rule, signal =>
        {
            Reader reader = signal.GetBodyReader();
            handler(reader.ReadString(), reader.ReadString(), reader.ReadString());
        }, cancellationToken);
    }

    private void OnBusSignal(Message signal)
    {
        if (signal.Signature != "s" || signal.Destination is null || signal.Destination != UniqueName)
        {
            return;
        }
        string name = signal.GetBodyReader().ReadString();
        switch (signal.Member)
        {
            case "NameLost":
                s_log.Info("Lost bus name {Name}", name);
                NameLost?.Invoke(name);
                break;
            case "NameAcquired":
                s_log.Debug("Acquired bus name {Name}", name);
                NameAcquired?.Invoke(name);
                break;
        }
    }

    private delegate T ReplyReader<T>(ref Reader reader);

    private async Task<T> CallBusAsync<T>(string member, string? signature, string? arg, CancellationToken cancellationToken,
        ReplyReader<T> read, uint? arg2 = null)
    {
        MessageWriter writer = GetMessageWriter();
        writer.WriteMethodCallHeader(BusName, BusPath, BusInterface, member, signature);
        if (arg is not null)
        {
            writer.WriteString(arg);
        }
        if (arg2 is { } value)
        {
            writer.WriteUInt32(value);
        }
        using Message reply = await CallMethodAsync(writer.CreateMessage(), null, cancellationToken).ConfigureAwait(false);
        Reader reader = reply.GetBodyReader();
        return read(ref reader);
    }

    private static void CheckBusName(string name)
    {
        if (!DBusNames.IsValidBusName(name) || name.StartsWith(':'))
        {
            throw new ArgumentException($"Invalid well-known bus name '{name}'", nameof(name));
        }
    }
}
