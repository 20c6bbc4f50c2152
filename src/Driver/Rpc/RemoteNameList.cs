using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>
/// The old name-listing calls (CONNECT_LIST_NETWORKS, CONNECT_LIST_STORAGE_POOLS, STORAGE_POOL_LIST_VOLUMES and their
/// kin): a maxnames argument checked against the protocol's array limit, then up to that many names.
/// </summary>
internal static class RemoteNameList
{
    /// <summary>Checks <paramref name="maxNames"/> (libvirt's RPC error above <paramref name="limit"/>) and replies with the first names.</summary>
    public static PacketBuffer Reply(RpcCall call, int maxNames, int limit, string what, IEnumerable<string> names)
    {
        if (maxNames > limit)
        {
            throw new DomainOperationException(VirErrorCode.Rpc, $"Too many {what} names '{maxNames}' for limit '{limit}'");
        }
        string[] first = names.Take(Math.Max(0, maxNames)).ToArray();
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(first.Length, limit);
        foreach (string name in first)
        {
            body.WriteString(name);
        }
        return reply;
    }
}
