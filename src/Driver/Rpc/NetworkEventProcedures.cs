namespace Kvm.Driver.Rpc;

/// <summary>
/// CONNECT_NETWORK_EVENT_REGISTER_ANY / DEREGISTER_ANY: callbacks for network lifecycle events, optionally for one
/// network, with the checks and messages of libvirt's remote_daemon_dispatch.c. As there, a callback may name a network
/// that does not exist (virGetNetwork makes the handle without a lookup): it hears of one defined later with that UUID.
/// <see cref="RpcNetworkEventForwarder"/> sends the events.
/// </summary>
internal static class NetworkEventProcedures
{
    /// <summary>VIR_NETWORK_EVENT_ID_LAST in libvirt 9.0: lifecycle (0) only.</summary>
    public const int EventIdLast = 1;

    public static PacketBuffer Register(RpcCall call)
    {
        XdrReader args = call.Reader();
        int eventId = args.ReadInt32();
        (string Name, Guid Uuid)? network = args.ReadBool() ? RemoteNetwork.Read(ref args) : null;
        args.EnsureEnd();
        if (eventId < 0 || eventId >= EventIdLast)
        {
            throw RemoteErrorException.Internal($"unsupported network event ID {eventId}");
        }
        int callbackId = call.Client.AddCallback(eventId, network?.Uuid, legacy: false, RpcEventFamily.Network);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteInt32(callbackId);
        return reply;
    }

    public static PacketBuffer Deregister(RpcCall call)
    {
        XdrReader args = call.Reader();
        int id = args.ReadInt32();
        args.EnsureEnd();
        if (!call.Client.RemoveCallback(id, RpcEventFamily.Network))
        {
            throw RemoteErrorException.Internal($"network event callback {id} not registered");
        }
        return call.Empty();
    }
}
