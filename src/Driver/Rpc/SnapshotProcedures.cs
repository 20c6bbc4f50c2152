using Kvm.Driver.Domains;
using Kvm.Driver.Snapshots;

namespace Kvm.Driver.Rpc;

/// <summary>
/// The domain snapshot procedures over the driver core's <see cref="SnapshotManager"/>. A remote_nonnull_domain_snapshot
/// is the snapshot's name and its remote_nonnull_domain; the server finds the domain by UUID, then the snapshot by name.
/// </summary>
internal sealed class SnapshotProcedures
{
    private const int MaxSnapshots = 16_384; // REMOTE_DOMAIN_SNAPSHOT_LIST_MAX
    private readonly IDomainManager _domains;
    private readonly SnapshotManager _snapshots;
    private readonly CancellationToken _stopping;

    public SnapshotProcedures(IDomainManager domains, SnapshotManager snapshots, CancellationToken stopping)
    {
        _domains = domains;
        _snapshots = snapshots;
        _stopping = stopping;
    }

    public PacketBuffer CreateXml(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        string xml = args.ReadString();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return ReplySnapshot(call, uuid, _snapshots.Create(Domain(uuid), xml, flags).Name);
    }

    public PacketBuffer GetXmlDesc(RpcCall call)
    {
        (Guid uuid, string name, uint flags) = SnapshotAndFlags(call);
        return call.ReplyString(_snapshots.GetXmlDesc(uuid, name, flags));
    }

    public PacketBuffer Num(RpcCall call)
    {
        (Guid uuid, uint flags) = DomainAndFlags(call);
        return call.ReplyInt(_snapshots.List(uuid, flags).Count);
    }

    public PacketBuffer ListNames(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        int max = args.ReadInt32();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return ReplyNames(call, max, _snapshots.List(Domain(uuid), flags));
    }

    public PacketBuffer ListAll(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        bool needResults = args.ReadInt32() != 0;
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return ReplyAll(call, uuid, needResults, _snapshots.List(Domain(uuid), flags));
    }

    public PacketBuffer NumChildren(RpcCall call)
    {
        (Guid uuid, string name, uint flags) = SnapshotAndFlags(call);
        return call.ReplyInt(_snapshots.ListChildren(uuid, name, flags).Count);
    }

    public PacketBuffer ListChildrenNames(RpcCall call)
    {
        XdrReader args = call.Reader();
        (Guid uuid, string name) = ReadSnapshot(ref args);
        int max = args.ReadInt32();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return ReplyNames(call, max, _snapshots.ListChildren(uuid, name, flags));
    }

    public PacketBuffer ListAllChildren(RpcCall call)
    {
        XdrReader args = call.Reader();
        (Guid uuid, string name) = ReadSnapshot(ref args);
        bool needResults = args.ReadInt32() != 0;
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return ReplyAll(call, uuid, needResults, _snapshots.ListChildren(uuid, name, flags));
    }

    public PacketBuffer LookupByName(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        string name = args.ReadString();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return ReplySnapshot(call, uuid, _snapshots.Lookup(Domain(uuid), name, flags).Name);
    }

    public PacketBuffer HasCurrent(RpcCall call)
    {
        (Guid uuid, uint flags) = DomainAndFlags(call);
        return call.ReplyInt(_snapshots.HasCurrent(uuid, flags) ? 1 : 0);
    }

    public PacketBuffer Current(RpcCall call)
    {
        (Guid uuid, uint flags) = DomainAndFlags(call);
        return ReplySnapshot(call, uuid, _snapshots.Current(uuid, flags).Name);
    }

    public PacketBuffer GetParent(RpcCall call)
    {
        (Guid uuid, string name, uint flags) = SnapshotAndFlags(call);
        return ReplySnapshot(call, uuid, _snapshots.GetParent(uuid, name, flags).Name);
    }

    public PacketBuffer IsCurrent(RpcCall call)
    {
        (Guid uuid, string name, uint flags) = SnapshotAndFlags(call);
        return call.ReplyInt(_snapshots.IsCurrent(uuid, name, flags) ? 1 : 0);
    }

    public PacketBuffer HasMetadata(RpcCall call)
    {
        (Guid uuid, string name, uint flags) = SnapshotAndFlags(call);
        return call.ReplyInt(_snapshots.HasMetadata(uuid, name, flags) ? 1 : 0);
    }

    public async ValueTask<PacketBuffer> RevertAsync(RpcCall call)
    {
        (Guid uuid, string name, uint flags) = SnapshotAndFlags(call);
        await _snapshots.RevertAsync(uuid, name, flags, _stopping).ConfigureAwait(false);
        return call.Empty();
    }

    public PacketBuffer Delete(RpcCall call)
    {
        (Guid uuid, string name, uint flags) = SnapshotAndFlags(call);
        _snapshots.Delete(uuid, name, flags);
        return call.Empty();
    }

    /// <summary>The domain a call names must exist (get_nonnull_domain, then the driver's lookup).</summary>
    private Guid Domain(Guid uuid) => _domains.LookupByUuid(uuid).Uuid;

    private static (Guid Uuid, string Name) ReadSnapshot(ref XdrReader args)
    {
        string name = args.ReadString();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        return (uuid, name);
    }

    private static (Guid Uuid, string Name, uint Flags) SnapshotAndFlags(RpcCall call)
    {
        XdrReader args = call.Reader();
        (Guid uuid, string name) = ReadSnapshot(ref args);
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return (uuid, name, flags);
    }

    private (Guid Uuid, uint Flags) DomainAndFlags(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return (Domain(uuid), flags);
    }

    private static PacketBuffer ReplyNames(RpcCall call, int max, IReadOnlyList<SnapshotDef> snapshots)
    {
        if (max > MaxSnapshots)
        {
            throw new DomainOperationException(VirErrorCode.Rpc, "maxnames > REMOTE_DOMAIN_SNAPSHOT_LIST_MAX");
        }
        string[] names = snapshots.Select(s => s.Name).Take(Math.Max(0, max)).ToArray();
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(names.Length, MaxSnapshots);
        foreach (string name in names)
        {
            body.WriteString(name);
        }
        return reply;
    }

    private PacketBuffer ReplyAll(RpcCall call, Guid uuid, bool needResults, IReadOnlyList<SnapshotDef> snapshots)
    {
        DomainInfo domain = _domains.LookupByUuid(uuid);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(needResults ? snapshots.Count : 0, MaxSnapshots);
        if (needResults)
        {
            foreach (SnapshotDef snapshot in snapshots)
            {
                body.WriteString(snapshot.Name);
                RemoteDomain.Write(ref body, domain);
            }
        }
        body.WriteInt32(snapshots.Count);
        return reply;
    }

    private PacketBuffer ReplySnapshot(RpcCall call, Guid uuid, string name)
    {
        DomainInfo domain = _domains.LookupByUuid(uuid);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteString(name);
        RemoteDomain.Write(ref body, domain);
        return reply;
    }
}
