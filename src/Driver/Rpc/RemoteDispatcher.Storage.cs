namespace Kvm.Driver.Rpc;

/// <summary>The storage pool, volume and pool event procedures: one switch, so the main table stays readable.</summary>
internal sealed partial class RemoteDispatcher
{
    /// <summary>The reply when <paramref name="procedure"/> is a storage procedure kvmd serves; null otherwise (it falls through to "not supported").</summary>
    private static PacketBuffer? DispatchStorage(RpcCall call, RemoteProcedure procedure, StoragePoolProcedures pools, StorageVolProcedures vols) => procedure switch
    {
        RemoteProcedure.ConnectListAllStoragePools => pools.ListAll(call),
        RemoteProcedure.ConnectNumOfStoragePools => pools.NumOf(call, active: true),
        RemoteProcedure.ConnectListStoragePools => pools.ListNames(call, active: true),
        RemoteProcedure.ConnectNumOfDefinedStoragePools => pools.NumOf(call, active: false),
        RemoteProcedure.ConnectListDefinedStoragePools => pools.ListNames(call, active: false),
        RemoteProcedure.StoragePoolLookupByName => pools.LookupByName(call),
        RemoteProcedure.StoragePoolLookupByUuid => pools.LookupByUuid(call),
        RemoteProcedure.StoragePoolLookupByVolume => pools.LookupByVolume(call),
        RemoteProcedure.StoragePoolLookupByTargetPath => pools.LookupByTargetPath(call),
        RemoteProcedure.StoragePoolDefineXml => pools.Define(call),
        RemoteProcedure.StoragePoolCreateXml => pools.CreateXml(call),
        RemoteProcedure.StoragePoolUndefine => pools.Undefine(call),
        RemoteProcedure.StoragePoolCreate => pools.Create(call),
        RemoteProcedure.StoragePoolBuild => pools.Build(call),
        RemoteProcedure.StoragePoolDestroy => pools.Destroy(call),
        RemoteProcedure.StoragePoolDelete => pools.Delete(call),
        RemoteProcedure.StoragePoolRefresh => pools.Refresh(call),
        RemoteProcedure.StoragePoolGetXmlDesc => pools.GetXmlDesc(call),
        RemoteProcedure.StoragePoolGetInfo => pools.GetInfo(call),
        RemoteProcedure.StoragePoolGetAutostart => pools.GetAutostart(call),
        RemoteProcedure.StoragePoolSetAutostart => pools.SetAutostart(call),
        RemoteProcedure.StoragePoolIsActive => pools.IsActive(call),
        RemoteProcedure.StoragePoolIsPersistent => pools.IsPersistent(call),
        RemoteProcedure.StoragePoolNumOfVolumes => vols.NumOfVolumes(call),
        RemoteProcedure.StoragePoolListVolumes => vols.ListNames(call),
        RemoteProcedure.StoragePoolListAllVolumes => vols.ListAll(call),
        RemoteProcedure.StorageVolLookupByName => vols.LookupByName(call),
        RemoteProcedure.StorageVolLookupByKey => vols.LookupByKey(call),
        RemoteProcedure.StorageVolLookupByPath => vols.LookupByPath(call),
        RemoteProcedure.StorageVolCreateXml => vols.CreateXml(call),
        RemoteProcedure.StorageVolCreateXmlFrom => vols.CreateXmlFrom(call),
        RemoteProcedure.StorageVolDelete => vols.Delete(call),
        RemoteProcedure.StorageVolWipe => vols.Wipe(call, withPattern: false),
        RemoteProcedure.StorageVolWipePattern => vols.Wipe(call, withPattern: true),
        RemoteProcedure.StorageVolResize => vols.Resize(call),
        RemoteProcedure.StorageVolGetXmlDesc => vols.GetXmlDesc(call),
        RemoteProcedure.StorageVolGetInfo => vols.GetInfo(call, withFlags: false),
        RemoteProcedure.StorageVolGetInfoFlags => vols.GetInfo(call, withFlags: true),
        RemoteProcedure.StorageVolGetPath => vols.GetPath(call),
        RemoteProcedure.ConnectStoragePoolEventRegisterAny => ObjectEventProcedures.StoragePool.Register(call),
        RemoteProcedure.ConnectStoragePoolEventDeregisterAny => ObjectEventProcedures.StoragePool.Deregister(call),
        // STORAGE_VOL_UPLOAD and DOWNLOAD (streams) are not served.
        _ => null,
    };
}
