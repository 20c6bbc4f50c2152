using Kvm.Driver.Api;
using Kvm.Driver.Domains;
using Kvm.Driver.Pools;

namespace Kvm.Driver.Rpc;

/// <summary>
/// The storage pool procedures over the driver core's <see cref="StoragePoolManager"/> (the one the D-Bus front end
/// serves): listings, lookups, define/create/undefine, build/start/stop/delete, refresh, info, XML, autostart and the
/// pool's volume listings. Only translation happens here; the manager decides and reports libvirt's errors.
/// </summary>
internal sealed class StoragePoolProcedures
{
    private const int MaxPools = 16_384;                     // REMOTE_STORAGE_POOL_LIST_MAX
    private const uint DefineValidate = 1;                   // VIR_STORAGE_POOL_DEFINE_VALIDATE
    private const uint CreateWithBuild = 1, CreateBuildOverwrite = 2, CreateBuildNoOverwrite = 4; // virStoragePoolCreateFlags
    private const uint BuildOverwrite = 8, BuildNoOverwrite = 4;                                  // virStoragePoolBuildFlags
    private readonly StoragePoolManager _pools;

    public StoragePoolProcedures(StoragePoolManager pools)
    {
        _pools = pools;
    }

    public PacketBuffer ListAll(RpcCall call)
    {
        XdrReader args = call.Reader();
        bool needResults = args.ReadInt32() != 0;
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        IReadOnlyList<StoragePoolSnapshot> pools = StoragePoolListFilter.List(_pools, flags);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(needResults ? pools.Count : 0, MaxPools);
        if (needResults)
        {
            foreach (StoragePoolSnapshot pool in pools)
            {
                RemoteStoragePool.Write(ref body, pool);
            }
        }
        body.WriteUInt32((uint)pools.Count);
        return reply;
    }

    /// <summary>CONNECT_NUM_OF_STORAGE_POOLS (active) and CONNECT_NUM_OF_DEFINED_STORAGE_POOLS (inactive).</summary>
    public PacketBuffer NumOf(RpcCall call, bool active)
    {
        call.NoArgs();
        return call.ReplyInt(_pools.List().Count(p => p.Active == active));
    }

    /// <summary>CONNECT_LIST_STORAGE_POOLS (active) and CONNECT_LIST_DEFINED_STORAGE_POOLS (inactive): up to maxnames names.</summary>
    public PacketBuffer ListNames(RpcCall call, bool active)
    {
        XdrReader args = call.Reader();
        int max = args.ReadInt32();
        args.EnsureEnd();
        return RemoteNameList.Reply(call, max, MaxPools, "storage pool", _pools.List().Where(p => p.Active == active).Select(p => p.Name));
    }

    public PacketBuffer LookupByName(RpcCall call)
    {
        XdrReader args = call.Reader();
        string name = args.ReadString();
        args.EnsureEnd();
        return Reply(call, _pools.LookupByName(name));
    }

    public PacketBuffer LookupByUuid(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadRawUuid(ref args);
        args.EnsureEnd();
        return Reply(call, _pools.LookupByUuid(uuid));
    }

    /// <summary>storagePoolLookupByVolume: the pool a volume is in, found from the volume as every volume call finds it.</summary>
    public PacketBuffer LookupByVolume(RpcCall call)
    {
        XdrReader args = call.Reader();
        (string Pool, string Name, string Key) vol = RemoteStorageVol.Read(ref args);
        args.EnsureEnd();
        return Reply(call, _pools.PoolOfVolume(RemoteStorageVol.Resolve(_pools, vol).Key));
    }

    /// <summary>storagePoolLookupByTargetPath: the active pool whose target is that directory.</summary>
    public PacketBuffer LookupByTargetPath(RpcCall call)
    {
        XdrReader args = call.Reader();
        string path = args.ReadString();
        args.EnsureEnd();
        string wanted = Path.TrimEndingDirectorySeparator(path);
        return Reply(call, _pools.List().FirstOrDefault(p => p.Active && p.TargetPath == wanted)
            ?? throw new DomainOperationException(StorageErrors.NoStoragePool,
                $"Storage pool not found: no storage pool with matching target path '{path}'"));
    }

    public PacketBuffer Define(RpcCall call)
    {
        XdrReader args = call.Reader();
        string xml = args.ReadString();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        LibvirtErrors.CheckFlags(flags, DefineValidate, "storagePoolDefineXML");
        return Reply(call, _pools.Define(xml));
    }

    public PacketBuffer CreateXml(RpcCall call)
    {
        XdrReader args = call.Reader();
        string xml = args.ReadString();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        LibvirtErrors.CheckFlags(flags, 0, "storagePoolCreateXML");
        return Reply(call, _pools.CreateTransient(xml));
    }

    public PacketBuffer Undefine(RpcCall call)
    {
        _pools.Undefine(ReadPool(call).Uuid);
        return call.Empty();
    }

    /// <summary>storagePoolCreate (start), building the directory first when asked (virsh pool-start --build).</summary>
    public PacketBuffer Create(RpcCall call)
    {
        (StoragePoolSnapshot pool, uint flags) = ReadPoolAndFlags(call);
        LibvirtErrors.CheckFlags(flags, CreateWithBuild | CreateBuildOverwrite | CreateBuildNoOverwrite, "storagePoolCreate");
        if ((flags & (CreateWithBuild | CreateBuildOverwrite | CreateBuildNoOverwrite)) != 0)
        {
            _pools.Build(pool.Uuid, (flags & CreateBuildOverwrite) != 0 ? BuildOverwrite : (flags & CreateBuildNoOverwrite) != 0 ? BuildNoOverwrite : 0);
        }
        _pools.Start(pool.Uuid);
        return call.Empty();
    }

    public PacketBuffer Build(RpcCall call)
    {
        (StoragePoolSnapshot pool, uint flags) = ReadPoolAndFlags(call);
        _pools.Build(pool.Uuid, flags);
        return call.Empty();
    }

    public PacketBuffer Destroy(RpcCall call)
    {
        _pools.Destroy(ReadPool(call).Uuid);
        return call.Empty();
    }

    public PacketBuffer Delete(RpcCall call)
    {
        (StoragePoolSnapshot pool, uint flags) = ReadPoolAndFlags(call);
        _pools.Delete(pool.Uuid, flags);
        return call.Empty();
    }

    public PacketBuffer Refresh(RpcCall call)
    {
        (StoragePoolSnapshot pool, uint flags) = ReadPoolAndFlags(call);
        _pools.Refresh(pool.Uuid, flags);
        return call.Empty();
    }

    public PacketBuffer GetXmlDesc(RpcCall call)
    {
        (StoragePoolSnapshot pool, uint flags) = ReadPoolAndFlags(call);
        return call.ReplyString(_pools.GetXmlDesc(pool.Uuid, flags));
    }

    /// <summary>remote_storage_pool_get_info_ret: state (an unsigned char, one XDR word), capacity, allocation, available.</summary>
    public PacketBuffer GetInfo(RpcCall call)
    {
        StoragePoolInfo info = _pools.GetInfo(ReadPool(call).Uuid);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteUInt32((uint)info.State);
        body.WriteUInt64(info.Capacity);
        body.WriteUInt64(info.Allocation);
        body.WriteUInt64(info.Available);
        return reply;
    }

    public PacketBuffer GetAutostart(RpcCall call) => call.ReplyInt(ReadPool(call).Autostart ? 1 : 0);

    public PacketBuffer SetAutostart(RpcCall call)
    {
        XdrReader args = call.Reader();
        StoragePoolSnapshot pool = RemoteStoragePool.Resolve(_pools, RemoteStoragePool.Read(ref args));
        bool autostart = args.ReadInt32() != 0;
        args.EnsureEnd();
        _pools.SetAutostart(pool.Uuid, autostart);
        return call.Empty();
    }

    public PacketBuffer IsActive(RpcCall call) => call.ReplyInt(ReadPool(call).Active ? 1 : 0);

    public PacketBuffer IsPersistent(RpcCall call) => call.ReplyInt(ReadPool(call).Persistent ? 1 : 0);

    /// <summary>The procedures (pools', volumes' and the pool events') whose failures libvirt reports from its storage driver (VIR_FROM_STORAGE).</summary>
    public static bool Serves(RemoteProcedure procedure) => procedure is
        RemoteProcedure.ConnectNumOfStoragePools or RemoteProcedure.ConnectListStoragePools or RemoteProcedure.ConnectNumOfDefinedStoragePools
        or RemoteProcedure.ConnectListDefinedStoragePools or RemoteProcedure.ConnectListAllStoragePools
        or (>= RemoteProcedure.StoragePoolCreateXml and <= RemoteProcedure.StorageVolGetPath)
        or RemoteProcedure.StorageVolCreateXmlFrom or RemoteProcedure.StoragePoolIsActive or RemoteProcedure.StoragePoolIsPersistent
        or RemoteProcedure.StorageVolWipe or RemoteProcedure.StorageVolWipePattern or RemoteProcedure.StorageVolResize
        or RemoteProcedure.StoragePoolListAllVolumes or RemoteProcedure.StorageVolGetInfoFlags or RemoteProcedure.StoragePoolLookupByTargetPath;

    /// <summary>A call whose only argument is a remote_nonnull_storage_pool.</summary>
    private StoragePoolSnapshot ReadPool(RpcCall call)
    {
        XdrReader args = call.Reader();
        (string Name, Guid Uuid) reference = RemoteStoragePool.Read(ref args);
        args.EnsureEnd();
        return RemoteStoragePool.Resolve(_pools, reference);
    }

    /// <summary>A call whose arguments are a remote_nonnull_storage_pool and flags.</summary>
    private (StoragePoolSnapshot Pool, uint Flags) ReadPoolAndFlags(RpcCall call)
    {
        XdrReader args = call.Reader();
        (string Name, Guid Uuid) reference = RemoteStoragePool.Read(ref args);
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return (RemoteStoragePool.Resolve(_pools, reference), flags);
    }

    private static PacketBuffer Reply(RpcCall call, StoragePoolSnapshot pool)
    {
        PacketBuffer reply = call.Reply(out XdrWriter body);
        RemoteStoragePool.Write(ref body, pool);
        return reply;
    }
}
