using Kvm.Driver.Api;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>Listing and looking up domains: virConnectListAllDomains, the older id and name lists, and the three lookups.</summary>
internal sealed class DomainListProcedures
{
    private readonly IDomainManager _manager;

    public DomainListProcedures(IDomainManager manager)
    {
        _manager = manager;
    }

    public PacketBuffer ListAll(RpcCall call)
    {
        XdrReader args = call.Reader();
        bool needResults = args.ReadInt32() != 0;
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        LibvirtErrors.CheckFlags(flags, (uint)DomainListFlags.All, "qemuConnectListAllDomains");
        DomainInfo[] domains = _manager.List().Where(d => DomainListFilter.Matches(d, (DomainListFlags)flags)).ToArray();
        PacketBuffer reply = call.Reply(out XdrWriter body);
        if (needResults)
        {
            body.WriteArrayCount(domains.Length, RpcLimits.MaxDomainList);
            foreach (DomainInfo domain in domains)
            {
                RemoteDomain.Write(ref body, domain);
            }
        }
        else
        {
            body.WriteArrayCount(0, RpcLimits.MaxDomainList);
        }
        body.WriteUInt32((uint)domains.Length);
        return reply;
    }

    public PacketBuffer NumOfDomains(RpcCall call)
    {
        call.NoArgs();
        return call.ReplyInt(_manager.List().Count(d => d.Active));
    }

    public PacketBuffer ListDomains(RpcCall call)
    {
        XdrReader args = call.Reader();
        int max = ReadMax(ref args, "domains");
        int[] ids = _manager.List().Where(d => d.Active).Select(d => d.Id).Order().Take(max).ToArray();
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(ids.Length, RpcLimits.MaxDomainList);
        foreach (int id in ids)
        {
            body.WriteInt32(id);
        }
        return reply;
    }

    public PacketBuffer NumOfDefined(RpcCall call)
    {
        call.NoArgs();
        return call.ReplyInt(_manager.List().Count(d => !d.Active && d.Persistent));
    }

    public PacketBuffer ListDefined(RpcCall call)
    {
        XdrReader args = call.Reader();
        int max = ReadMax(ref args, "domain names");
        string[] names = _manager.List().Where(d => !d.Active && d.Persistent).Select(d => d.Name).Take(max).ToArray();
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(names.Length, RpcLimits.MaxDomainList);
        foreach (string name in names)
        {
            body.WriteString(name);
        }
        return reply;
    }

    public PacketBuffer LookupByName(RpcCall call)
    {
        XdrReader args = call.Reader();
        string name = args.ReadString();
        args.EnsureEnd();
        return Domain(call, _manager.LookupByName(name));
    }

    public PacketBuffer LookupByUuid(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadRawUuid(ref args);
        args.EnsureEnd();
        return Domain(call, _manager.LookupByUuid(uuid));
    }

    public PacketBuffer LookupById(RpcCall call)
    {
        XdrReader args = call.Reader();
        int id = args.ReadInt32();
        args.EnsureEnd();
        return Domain(call, _manager.LookupById(id));
    }

    /// <summary>maxids/maxnames: libvirt's dispatcher refuses more than the list limit ("Too many domains").</summary>
    private static int ReadMax(ref XdrReader args, string what)
    {
        int max = args.ReadInt32();
        args.EnsureEnd();
        if (max > RpcLimits.MaxDomainList)
        {
            throw new DomainOperationException(VirErrorCode.Rpc, $"Too many {what} '{max}' for limit '{RpcLimits.MaxDomainList}'");
        }
        return Math.Max(0, max);
    }

    private static PacketBuffer Domain(RpcCall call, DomainInfo domain)
    {
        PacketBuffer reply = call.Reply(out XdrWriter body);
        RemoteDomain.Write(ref body, domain);
        return reply;
    }
}
