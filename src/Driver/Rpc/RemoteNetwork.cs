using Kvm.Driver.Domains;
using Kvm.Driver.Networks;

namespace Kvm.Driver.Rpc;

/// <summary>remote_nonnull_network on the wire (<see cref="RemoteUuidObject"/>), and its lookup.</summary>
internal static class RemoteNetwork
{
    /// <summary>Reads a network reference: the server looks networks up by UUID, as libvirt's networkObjFromNetwork.</summary>
    public static (string Name, Guid Uuid) Read(ref XdrReader reader) => RemoteUuidObject.Read(ref reader);

    public static void Write(ref XdrWriter writer, NetworkSnapshot network) => RemoteUuidObject.Write(ref writer, network.Name, network.Uuid);

    public static void Write(ref XdrWriter writer, string name, Guid uuid) => RemoteUuidObject.Write(ref writer, name, uuid);

    /// <summary>The network a reference names, or networkObjFromNetwork's error, which names the caller's name for it.</summary>
    public static NetworkSnapshot Resolve(NetworkManager networks, (string Name, Guid Uuid) reference) =>
        networks.TryGet(reference.Uuid, out NetworkSnapshot network)
            ? network
            : throw new DomainOperationException(NetworkErrors.NoNetwork, $"{NetworkErrors.NoNetworkByUuid(reference.Uuid).Message} ({reference.Name})");
}
