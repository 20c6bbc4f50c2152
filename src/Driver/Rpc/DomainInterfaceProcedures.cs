using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>virDomainInterfaceStats and virDomainInterfaceAddresses: a running domain's interfaces seen from the host.</summary>
internal sealed class DomainInterfaceProcedures
{
    private readonly IDomainManager _manager;

    public DomainInterfaceProcedures(IDomainManager manager)
    {
        _manager = manager;
    }

    /// <summary>remote_domain_interface_stats_args { dom; nonnull_string device } → eight hypers, rx then tx.</summary>
    public PacketBuffer InterfaceStats(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        string device = args.ReadString();
        args.EnsureEnd();
        InterfaceCounters c = _manager.GetInterfaceStats(_manager.LookupByUuid(uuid).Uuid, device);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteInt64((long)c.RxBytes);
        body.WriteInt64((long)c.RxPackets);
        body.WriteInt64((long)c.RxErrors);
        body.WriteInt64((long)c.RxDrops);
        body.WriteInt64((long)c.TxBytes);
        body.WriteInt64((long)c.TxPackets);
        body.WriteInt64((long)c.TxErrors);
        body.WriteInt64((long)c.TxDrops);
        return reply;
    }

    /// <summary>
    /// remote_domain_interface_addresses_args { dom; source; flags } → remote_domain_interface&lt;&gt;, each
    /// { nonnull_string name; string hwaddr; remote_domain_ip_addr { int type; nonnull_string addr; uint prefix }&lt;&gt; }.
    /// </summary>
    public PacketBuffer InterfaceAddresses(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        uint source = args.ReadUInt32();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        if (source == (uint)InterfaceAddressSource.Agent && call.Client.ReadOnly)
        {
            // libvirt-domain.c refuses only the agent source on a read-only connection (the guest is asked).
            throw new RemoteErrorException(RemoteError.ReadOnly("virDomainInterfaceAddresses"));
        }
        IReadOnlyList<DomainInterfaceAddresses> interfaces = _manager.GetInterfaceAddresses(_manager.LookupByUuid(uuid).Uuid, source, flags);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(interfaces.Count, RpcLimits.MaxDomainInterfaces);
        foreach (DomainInterfaceAddresses iface in interfaces)
        {
            body.WriteString(iface.Name);
            body.WriteOptionalString(iface.Mac);
            body.WriteArrayCount(iface.Addresses.Count, RpcLimits.MaxDomainIpAddresses);
            foreach (DomainIpAddress address in iface.Addresses)
            {
                body.WriteInt32(address.Type);
                body.WriteString(address.Address);
                body.WriteUInt32(address.Prefix);
            }
        }
        return reply;
    }
}
