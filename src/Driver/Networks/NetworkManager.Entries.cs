using System.Globalization;
using Kvm.DomainXml.Devices;

namespace Kvm.Driver.Networks;

/// <summary>The network table: entries, libvirt's duplicate checks (virNetworkObjIsDuplicate, networkBridgeNameValidate) and define-time defaults.</summary>
public sealed partial class NetworkManager
{
    private const int MaxBridgeId = 256; // libvirt's MAX_BRIDGE_ID

    private sealed class Entry(NetworkDef def)
    {
        /// <summary>The persistent definition (or, for a transient network, the one it was created with).</summary>
        public NetworkDef Def { get; set; } = def;

        /// <summary>The running definition; null while inactive.</summary>
        public NetworkDef? Live { get; set; }

        public bool Persistent { get; set; }

        public bool Autostart { get; set; }
    }

    private static NetworkSnapshot Snapshot(Entry e) =>
        new(e.Def.Uuid, e.Def.Name, (e.Live ?? e.Def).BridgeName, e.Live is not null, e.Persistent, e.Autostart);

    /// <summary>Finds an entry under the table's lock, for a change that holds <c>_ops</c>.</summary>
    private Entry FindShared(Guid uuid)
    {
        lock (_gate)
        {
            return Find(uuid);
        }
    }

    private Entry Find(Guid uuid) => _networks.FirstOrDefault(n => n.Def.Uuid == uuid) ?? throw NetworkErrors.NoNetworkByUuid(uuid);

    /// <summary>The entry a definition redefines (same name and uuid), or null for a new network; libvirt's errors for clashes.</summary>
    private Entry? CheckIdentity(NetworkDef def)
    {
        Entry? byUuid = _networks.FirstOrDefault(n => n.Def.Uuid == def.Uuid);
        if (byUuid is not null && byUuid.Def.Name != def.Name)
        {
            throw NetworkErrors.Failed($"network '{byUuid.Def.Name}' is already defined with uuid {def.Uuid:D}");
        }
        Entry? byName = _networks.FirstOrDefault(n => n.Def.Name == def.Name);
        if (byName is not null && byName.Def.Uuid != def.Uuid)
        {
            throw NetworkErrors.Failed($"network '{def.Name}' already exists with uuid {byName.Def.Uuid:D}");
        }
        return byUuid;
    }

    /// <summary>
    /// networkBridgeNameValidate and virNetworkSetBridgeMacAddr: a managed bridge gets the first free virbrN (or the
    /// first free name of a "%d" template) and a generated 52:54:00 MAC; a bridge name another network uses is refused.
    /// </summary>
    private NetworkDef ApplyDefaults(NetworkDef def, Entry? existing)
    {
        bool InUse(string bridge) => _networks.Any(n => n != existing
            && (n.Def.BridgeName == bridge || n.Live?.BridgeName == bridge));

        if (def.BridgeName is { } bridge && !bridge.Contains("%d", StringComparison.Ordinal))
        {
            if (InUse(bridge))
            {
                throw NetworkErrors.Internal($"bridge name '{bridge}' already in use.");
            }
        }
        else if (NetworkForwardModes.HasManagedBridge(def.Forward) || def.BridgeName is not null)
        {
            string template = def.BridgeName ?? "virbr%d";
            string? free = null;
            for (int id = 0; id <= MaxBridgeId && free is null; id++)
            {
                string candidate = template.Replace("%d", id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
                if (!InUse(candidate) && !_realiser.LinkExists(candidate))
                {
                    free = candidate;
                }
            }
            def = def with { BridgeName = free ?? throw NetworkErrors.Internal($"Bridge generation exceeded max id {MaxBridgeId}") };
        }
        if (def.BridgeName is { Length: > 15 } || def.BridgeName?.IndexOfAny(['/', ' ', ':', '\t', '\n']) >= 0)
        {
            throw NetworkErrors.Unsupported($"bridge name '{def.BridgeName}' is not a valid interface name (at most 15 characters, no '/', ':' or spaces)");
        }
        if (def.Mac is null && NetworkForwardModes.HasManagedBridge(def.Forward))
        {
            Span<byte> suffix = stackalloc byte[3];
            _macs.NextSuffix(suffix);
            def = def with { Mac = $"52:54:00:{suffix[0]:x2}:{suffix[1]:x2}:{suffix[2]:x2}" };
        }
        return def;
    }

    /// <summary>A subnet of this network that a running network already uses: refused before anything is made.</summary>
    private void CheckSubnetsFree(Entry entry)
    {
        foreach (Entry other in _networks.Where(n => n != entry && n.Live is not null))
        {
            foreach (NetworkIpDef ip in entry.Def.Ips)
            {
                if (other.Live!.Ips.FirstOrDefault(o => NetworkAddresses.Overlap(ip.Address, ip.PrefixLength, o.Address, o.PrefixLength)) is { } clash)
                {
                    throw NetworkErrors.Internal(
                        $"Network is already in use by interface {other.Live.BridgeName} (network '{other.Def.Name}' has {NetworkAddresses.Subnet(clash.Address, clash.PrefixLength)})");
                }
            }
        }
    }
}
