using Kvm.Driver.Domains;
using Kvm.Driver.Networks;

namespace Kvm.Driver.Rpc;

/// <summary>remote_nonnull_network on the wire: name and raw UUID (big-endian, as libvirt's text).</summary>
internal static class RemoteNetwork
{
    /// <summary>Reads a network reference: the server looks networks up by UUID, as libvirt's networkObjFromNetwork.</summary>
    public static (string Name, Guid Uuid) Read(ref XdrReader reader)
    {
        string name = reader.ReadString();
        return (name, RemoteDomain.ReadRawUuid(ref reader));
    }

    public static void Write(ref XdrWriter writer, NetworkSnapshot network) => Write(ref writer, network.Name, network.Uuid);

    public static void Write(ref XdrWriter writer, string name, Guid uuid)
    {
        writer.WriteString(name);
        Span<byte> raw = stackalloc byte[RpcLimits.UuidLength];
        uuid.TryWriteBytes(raw, bigEndian: true, out _);
        writer.WriteFixedOpaque(raw);
    }

    /// <summary>The network a reference names, or networkObjFromNetwork's error, which names the caller's name for it.</summary>
    public static NetworkSnapshot Resolve(NetworkManager networks, (string Name, Guid Uuid) reference) =>
        networks.TryGet(reference.Uuid, out NetworkSnapshot network)
            ? network
            : throw new DomainOperationException(NetworkErrors.NoNetwork, $"{NetworkErrors.NoNetworkByUuid(reference.Uuid).Message} ({reference.Name})");
}
