namespace Kvm.Driver.Rpc;

/// <summary>
/// The one way network and storage pool events reach clients: a MESSAGE per callback of the family that wants the event
/// id for that object, carrying the callback id, the object (name and UUID), then, for lifecycle events, event and
/// detail. Sending never waits: a client whose queue is full is cut off by its connection.
/// </summary>
internal static class RpcObjectEvents
{
    public static void Send(IEnumerable<RpcConnection> clients, RpcEventFamily family, int eventId, RemoteProcedure procedure,
        string name, Guid uuid, (int Event, int Detail)? lifecycle)
    {
        foreach (RpcConnection client in clients)
        {
            foreach ((int callbackId, _) in client.State.CallbacksFor(eventId, uuid, family))
            {
                var header = new RpcHeader(RpcPrograms.Remote, RpcPrograms.RemoteVersion, (int)procedure, RpcMessageType.Message, 0, RpcStatus.Ok);
                PacketBuffer packet = PacketBuffer.Start(header, out XdrWriter body);
                body.WriteInt32(callbackId);
                RemoteUuidObject.Write(ref body, name, uuid);
                if (lifecycle is (int @event, int detail))
                {
                    body.WriteInt32(@event);
                    body.WriteInt32(detail);
                }
                client.TrySend(packet.ToPacket());
            }
        }
    }
}
