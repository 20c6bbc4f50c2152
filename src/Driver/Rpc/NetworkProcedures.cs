using Kvm.Driver.Api;
using Kvm.Driver.Domains;
using Kvm.Driver.Networks;

namespace Kvm.Driver.Rpc;

/// <summary>
/// The virtual network procedures over the driver core's <see cref="NetworkManager"/> (the one the D-Bus front end
/// serves): listings, lookups, define/create/undefine, start/stop, XML, bridge, autostart, update and DHCP leases.
/// Only translation happens here; the manager decides and reports libvirt's errors.
/// </summary>
internal sealed class NetworkProcedures
{
    private const int MaxNetworks = 16_384;  // REMOTE_NETWORK_LIST_MAX
    private const int MaxLeases = 65_536;    // REMOTE_NETWORK_DHCP_LEASES_MAX
    private const uint Validate = 1;         // VIR_NETWORK_DEFINE_VALIDATE = VIR_NETWORK_CREATE_VALIDATE
    private readonly NetworkManager _networks;

    public NetworkProcedures(NetworkManager networks)
    {
        _networks = networks;
    }

    public PacketBuffer ListAll(RpcCall call)
    {
        XdrReader args = call.Reader();
        bool needResults = args.ReadInt32() != 0;
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        IReadOnlyList<NetworkSnapshot> networks = NetworkListFilter.List(_networks, flags);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(needResults ? networks.Count : 0, MaxNetworks);
        if (needResults)
        {
            foreach (NetworkSnapshot network in networks)
            {
                RemoteNetwork.Write(ref body, network);
            }
        }
        body.WriteUInt32((uint)networks.Count);
        return reply;
    }

    /// <summary>CONNECT_NUM_OF_NETWORKS (active) and CONNECT_NUM_OF_DEFINED_NETWORKS (inactive).</summary>
    public PacketBuffer NumOf(RpcCall call, bool active)
    {
        call.NoArgs();
        return call.ReplyInt(_networks.List().Count(n => n.Active == active));
    }

    /// <summary>CONNECT_LIST_NETWORKS (active) and CONNECT_LIST_DEFINED_NETWORKS (inactive): up to maxnames names.</summary>
    public PacketBuffer ListNames(RpcCall call, bool active)
    {
        XdrReader args = call.Reader();
        int max = args.ReadInt32();
        args.EnsureEnd();
        return RemoteNameList.Reply(call, max, MaxNetworks, "network", _networks.List().Where(n => n.Active == active).Select(n => n.Name));
    }

    public PacketBuffer LookupByName(RpcCall call)
    {
        XdrReader args = call.Reader();
        string name = args.ReadString();
        args.EnsureEnd();
        return Reply(call, _networks.LookupByName(name));
    }

    public PacketBuffer LookupByUuid(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadRawUuid(ref args);
        args.EnsureEnd();
        return Reply(call, _networks.LookupByUuid(uuid));
    }

    public PacketBuffer Define(RpcCall call, bool withFlags)
    {
        XdrReader args = call.Reader();
        string xml = args.ReadString();
        uint flags = withFlags ? args.ReadUInt32() : 0;
        args.EnsureEnd();
        LibvirtErrors.CheckFlags(flags, Validate, "networkDefineXMLFlags");
        return Reply(call, _networks.Define(xml));
    }

    public PacketBuffer CreateXml(RpcCall call, bool withFlags)
    {
        XdrReader args = call.Reader();
        string xml = args.ReadString();
        uint flags = withFlags ? args.ReadUInt32() : 0;
        args.EnsureEnd();
        LibvirtErrors.CheckFlags(flags, Validate, "networkCreateXMLFlags");
        return Reply(call, _networks.CreateTransient(xml));
    }

    public PacketBuffer Undefine(RpcCall call)
    {
        _networks.Undefine(ReadNetwork(call).Uuid);
        return call.Empty();
    }

    public PacketBuffer Create(RpcCall call)
    {
        _networks.Start(ReadNetwork(call).Uuid);
        return call.Empty();
    }

    public PacketBuffer Destroy(RpcCall call)
    {
        _networks.Destroy(ReadNetwork(call).Uuid);
        return call.Empty();
    }

    public PacketBuffer GetXmlDesc(RpcCall call)
    {
        XdrReader args = call.Reader();
        NetworkSnapshot network = RemoteNetwork.Resolve(_networks, RemoteNetwork.Read(ref args));
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return call.ReplyString(_networks.GetXmlDesc(network.Uuid, flags));
    }

    /// <summary>networkGetBridgeName: the bridge of the definition (running or not); libvirt's error for one without.</summary>
    public PacketBuffer GetBridgeName(RpcCall call)
    {
        NetworkSnapshot network = ReadNetwork(call);
        return call.ReplyString(network.Bridge
            ?? throw NetworkErrors.Internal($"network '{network.Name}' does not have a bridge name."));
    }

    public PacketBuffer GetAutostart(RpcCall call) => call.ReplyInt(ReadNetwork(call).Autostart ? 1 : 0);

    public PacketBuffer SetAutostart(RpcCall call)
    {
        XdrReader args = call.Reader();
        NetworkSnapshot network = RemoteNetwork.Resolve(_networks, RemoteNetwork.Read(ref args));
        bool autostart = args.ReadInt32() != 0;
        args.EnsureEnd();
        _networks.SetAutostart(network.Uuid, autostart);
        return call.Empty();
    }

    public PacketBuffer IsActive(RpcCall call) => call.ReplyInt(ReadNetwork(call).Active ? 1 : 0);

    public PacketBuffer IsPersistent(RpcCall call) => call.ReplyInt(ReadNetwork(call).Persistent ? 1 : 0);

    public PacketBuffer Update(RpcCall call)
    {
        XdrReader args = call.Reader();
        NetworkSnapshot network = RemoteNetwork.Resolve(_networks, RemoteNetwork.Read(ref args));
        uint command = args.ReadUInt32();
        uint section = args.ReadUInt32();
        int parentIndex = args.ReadInt32();
        string xml = args.ReadString();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        _networks.Update(network.Uuid, command, section, parentIndex, xml, flags);
        return call.Empty();
    }

    /// <summary>remote_network_dhcp_lease per lease (the optional strings absent where the lease has none), then the count.</summary>
    public PacketBuffer GetDhcpLeases(RpcCall call)
    {
        XdrReader args = call.Reader();
        NetworkSnapshot network = RemoteNetwork.Resolve(_networks, RemoteNetwork.Read(ref args));
        string? mac = args.ReadOptionalString();
        bool needResults = args.ReadInt32() != 0;
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        IReadOnlyList<DhcpLease> leases = _networks.GetDhcpLeases(network.Uuid, string.IsNullOrEmpty(mac) ? null : mac, flags);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(needResults ? leases.Count : 0, MaxLeases);
        if (needResults)
        {
            foreach (DhcpLease lease in leases)
            {
                body.WriteString(lease.Interface);
                body.WriteInt64(lease.ExpiryTime);
                body.WriteInt32(lease.Type);
                body.WriteOptionalString(NullIfEmpty(lease.Mac));
                body.WriteOptionalString(NullIfEmpty(lease.Iaid));
                body.WriteString(lease.IpAddress);
                body.WriteUInt32(lease.Prefix);
                body.WriteOptionalString(NullIfEmpty(lease.Hostname));
                body.WriteOptionalString(NullIfEmpty(lease.ClientId));
            }
        }
        body.WriteUInt32((uint)leases.Count);
        return reply;
    }

    /// <summary>The procedures whose failures libvirt reports from its network driver (VIR_FROM_NETWORK).</summary>
    public static bool Serves(RemoteProcedure procedure) => procedure is
        RemoteProcedure.ConnectListDefinedNetworks or RemoteProcedure.ConnectListNetworks or RemoteProcedure.NetworkCreate
        or RemoteProcedure.NetworkCreateXml or RemoteProcedure.NetworkDefineXml or RemoteProcedure.NetworkDestroy
        or RemoteProcedure.NetworkGetXmlDesc or RemoteProcedure.NetworkGetAutostart or RemoteProcedure.NetworkGetBridgeName
        or RemoteProcedure.NetworkLookupByName or RemoteProcedure.NetworkLookupByUuid or RemoteProcedure.NetworkSetAutostart
        or RemoteProcedure.NetworkUndefine or RemoteProcedure.ConnectNumOfDefinedNetworks or RemoteProcedure.ConnectNumOfNetworks
        or RemoteProcedure.NetworkIsActive or RemoteProcedure.NetworkIsPersistent or RemoteProcedure.ConnectListAllNetworks
        or RemoteProcedure.NetworkUpdate or RemoteProcedure.NetworkGetDhcpLeases or RemoteProcedure.NetworkDefineXmlFlags
        or RemoteProcedure.NetworkCreateXmlFlags;

    /// <summary>A call whose only argument is a remote_nonnull_network.</summary>
    private NetworkSnapshot ReadNetwork(RpcCall call)
    {
        XdrReader args = call.Reader();
        (string Name, Guid Uuid) reference = RemoteNetwork.Read(ref args);
        args.EnsureEnd();
        return RemoteNetwork.Resolve(_networks, reference);
    }

    private static PacketBuffer Reply(RpcCall call, NetworkSnapshot network)
    {
        PacketBuffer reply = call.Reply(out XdrWriter body);
        RemoteNetwork.Write(ref body, network);
        return reply;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
