using Kvm.Driver.Domains;
using NLog;

namespace Kvm.Driver.Rpc;

/// <summary>
/// Answers the remote program's calls: the connection and read-only gates, then a switch on the procedure number to
/// one small class per procedure family. Failures become libvirt's remote_error; nothing here decides what a domain
/// may do (the driver core does, and its errors carry libvirt's codes and messages).
/// </summary>
internal sealed partial class RemoteDispatcher
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private readonly ConnectProcedures _connect;
    private readonly NodeProcedures _node = new();
    private readonly DomainListProcedures _lists;
    private readonly DomainDefinitionProcedures _definitions;
    private readonly DomainLifecycleProcedures _lifecycle;
    private readonly DomainEventProcedures _events;
    private readonly DomainStatsProcedures _stats;
    private readonly DomainInterfaceProcedures _domainInterfaces;
    private readonly DomainMemoryProcedures _memory;
    private readonly SecurityProcedures _security;
    private readonly ConsoleProcedures _consoles;
    private readonly NodeDeviceProcedures? _nodeDevices;
    private readonly SecretProcedures? _secrets;
    private readonly InterfaceProcedures? _interfaces;
    private readonly SnapshotProcedures? _snapshots;
    private readonly NetworkProcedures? _networks;
    private readonly StoragePoolProcedures? _storagePools;
    private readonly StorageVolProcedures? _storageVols;

    public RemoteDispatcher(IDomainManager manager, RpcServerOptions options, CancellationToken stopping, Api.HostObjects? hostObjects = null)
    {
        _nodeDevices = hostObjects?.NodeDevices is { } devices ? new NodeDeviceProcedures(devices) : null;
        _secrets = hostObjects?.Secrets is { } secrets ? new SecretProcedures(secrets) : null;
        _interfaces = hostObjects?.Interfaces is { } interfaces ? new InterfaceProcedures(interfaces) : null;
        _snapshots = hostObjects?.Snapshots is { } snapshots ? new SnapshotProcedures(manager, snapshots, stopping) : null;
        _networks = hostObjects?.Networks is { } networks ? new NetworkProcedures(networks) : null;
        _storagePools = hostObjects?.Pools is { } pools ? new StoragePoolProcedures(pools) : null;
        _storageVols = hostObjects?.Pools is { } volumes ? new StorageVolProcedures(volumes) : null;
        _connect = new ConnectProcedures(manager, options);
        _lists = new DomainListProcedures(manager);
        _definitions = new DomainDefinitionProcedures(manager);
        _lifecycle = new DomainLifecycleProcedures(manager, stopping);
        _events = new DomainEventProcedures(manager);
        _stats = new DomainStatsProcedures(manager, stopping);
        _domainInterfaces = new DomainInterfaceProcedures(manager);
        _memory = new DomainMemoryProcedures(manager, stopping);
        _security = new SecurityProcedures(manager);
        _consoles = new ConsoleProcedures(manager, new Consoles.ConsoleHub());
    }

    public async ValueTask<PacketBuffer> DispatchAsync(RpcCall call)
    {
        RemoteProcedure procedure = call.Procedure;
        string? api = RemoteProcedureNames.ApiName(call.Header.Procedure);
        try
        {
            if (api is null && !RemoteAccess.IsServedWithoutApiName(procedure))
            {
                return RemoteError.Rpc($"unknown procedure: {call.Header.Procedure}").ToReply(call.Header);
            }
            if (!call.Client.Opened && !RemoteAccess.IsAllowedBeforeOpen(procedure))
            {
                return RemoteErrorException.Internal("hypervisor connection not open").Error.ToReply(call.Header);
            }
            if (call.Client.ReadOnly && RemoteProcedureNames.RefusedReadOnly(call.Header.Procedure))
            {
                return RemoteError.ReadOnly(api!).ToReply(call.Header);
            }
            return await DispatchProcedureAsync(call, procedure, api).ConfigureAwait(false);
        }
        catch (DomainOperationException e)
        {
            s_log.Debug("Procedure {Procedure} failed: {Error}", api, e.Message);
            return WithCallersName(FromDriver(RemoteError.From(e), procedure), call).ToReply(call.Header);
        }
        catch (RemoteErrorException e)
        {
            s_log.Debug("Procedure {Procedure} refused: {Error}", api, e.Message);
            return e.Error.ToReply(call.Header);
        }
        catch (XdrException e)
        {
            s_log.Debug("Procedure {Procedure}: undecodable arguments: {Error}", api, e.Message);
            return RemoteError.Rpc("Unable to decode message payload").ToReply(call.Header);
        }
    }

    private ValueTask<PacketBuffer> DispatchProcedureAsync(RpcCall call, RemoteProcedure procedure, string? api) => procedure switch
    {
        RemoteProcedure.AuthList => Done(_connect.AuthList(call)),
        RemoteProcedure.ConnectOpen => Done(_connect.Open(call)),
        RemoteProcedure.ConnectClose => Done(_connect.Close(call)),
        RemoteProcedure.ConnectSupportsFeature => Done(_connect.SupportsFeature(call)),
        RemoteProcedure.ConnectGetType => Done(_connect.GetType(call)),
        RemoteProcedure.ConnectGetVersion => Done(_connect.GetVersion(call)),
        RemoteProcedure.ConnectGetLibVersion => Done(_connect.GetLibVersion(call)),
        RemoteProcedure.ConnectGetHostname => Done(_connect.GetHostname(call)),
        RemoteProcedure.ConnectGetUri => Done(_connect.GetUri(call)),
        RemoteProcedure.ConnectGetMaxVcpus => Done(_connect.GetMaxVcpus(call)),
        RemoteProcedure.ConnectIsSecure => Done(_connect.IsSecure(call)),
        RemoteProcedure.ConnectGetCapabilities => Done(_connect.GetCapabilities(call)),
        RemoteProcedure.ConnectGetDomainCapabilities => Done(_connect.GetDomainCapabilities(call)),
        RemoteProcedure.ConnectGetSysinfo => Done(_connect.GetSysinfo(call)),
        RemoteProcedure.NodeGetInfo => Done(_connect.NodeGetInfo(call)),
        RemoteProcedure.NodeGetFreeMemory => Done(_connect.NodeGetFreeMemory(call)),
        RemoteProcedure.NodeGetMemoryStats => Done(_node.GetMemoryStats(call)),
        RemoteProcedure.NodeGetCpuStats => Done(_node.GetCpuStats(call)),
        RemoteProcedure.NodeGetCpuMap => Done(_node.GetCpuMap(call)),
        RemoteProcedure.ConnectGetCpuModelNames => Done(_node.GetCpuModelNames(call)),
        RemoteProcedure.NodeGetSecurityModel => Done(_security.NodeGetSecurityModel(call)),
        RemoteProcedure.DomainGetSecurityLabel => Done(_security.DomainGetSecurityLabel(call)),
        RemoteProcedure.ConnectListAllDomains => Done(_lists.ListAll(call)),
        RemoteProcedure.ConnectNumOfDomains => Done(_lists.NumOfDomains(call)),
        RemoteProcedure.ConnectListDomains => Done(_lists.ListDomains(call)),
        RemoteProcedure.ConnectNumOfDefinedDomains => Done(_lists.NumOfDefined(call)),
        RemoteProcedure.ConnectListDefinedDomains => Done(_lists.ListDefined(call)),
        RemoteProcedure.DomainLookupByName => Done(_lists.LookupByName(call)),
        RemoteProcedure.DomainLookupByUuid => Done(_lists.LookupByUuid(call)),
        RemoteProcedure.DomainLookupById => Done(_lists.LookupById(call)),
        RemoteProcedure.DomainDefineXml => Done(_definitions.Define(call, withFlags: false)),
        RemoteProcedure.DomainDefineXmlFlags => Done(_definitions.Define(call, withFlags: true)),
        RemoteProcedure.DomainUndefine => Done(_definitions.Undefine(call, withFlags: false)),
        RemoteProcedure.DomainUndefineFlags => Done(_definitions.Undefine(call, withFlags: true)),
        RemoteProcedure.DomainGetXmlDesc => Done(_definitions.GetXmlDesc(call)),
        RemoteProcedure.DomainGetAutostart => Done(_definitions.GetAutostart(call)),
        RemoteProcedure.DomainSetAutostart => Done(_definitions.SetAutostart(call)),
        RemoteProcedure.DomainGetOsType => Done(_definitions.GetOsType(call)),
        RemoteProcedure.DomainIsPersistent => Done(_definitions.IsPersistent(call)),
        RemoteProcedure.DomainIsUpdated => Done(_definitions.IsUpdated(call)),
        RemoteProcedure.DomainHasManagedSaveImage => Done(_definitions.HasManagedSaveImage(call)),
        RemoteProcedure.DomainGetMetadata => Done(_definitions.GetMetadata(call)),
        RemoteProcedure.DomainSetMetadata => Done(_definitions.SetMetadata(call)),
        RemoteProcedure.DomainRename => Done(_definitions.Rename(call)),
        RemoteProcedure.DomainGetMaxMemory => Done(_definitions.GetMaxMemory(call)),
        RemoteProcedure.DomainGetSchedulerType => Done(_lifecycle.GetSchedulerType(call)),
        RemoteProcedure.DomainCreate => _lifecycle.CreateAsync(call, withFlags: false),
        RemoteProcedure.DomainCreateWithFlags => _lifecycle.CreateAsync(call, withFlags: true),
        RemoteProcedure.DomainCreateXml => _lifecycle.CreateXmlAsync(call),
        RemoteProcedure.DomainDestroy => _lifecycle.DestroyAsync(call, withFlags: false),
        RemoteProcedure.DomainDestroyFlags => _lifecycle.DestroyAsync(call, withFlags: true),
        RemoteProcedure.DomainShutdown => _lifecycle.ShutdownAsync(call, withFlags: false),
        RemoteProcedure.DomainShutdownFlags => _lifecycle.ShutdownAsync(call, withFlags: true),
        RemoteProcedure.DomainReboot => _lifecycle.RebootAsync(call),
        RemoteProcedure.DomainReset => _lifecycle.ResetAsync(call),
        RemoteProcedure.DomainSuspend => _lifecycle.SuspendAsync(call),
        RemoteProcedure.DomainResume => _lifecycle.ResumeAsync(call),
        RemoteProcedure.DomainGetInfo => Done(_lifecycle.GetInfo(call)),
        RemoteProcedure.DomainGetState => Done(_lifecycle.GetState(call)),
        RemoteProcedure.DomainIsActive => Done(_lifecycle.IsActive(call)),
        RemoteProcedure.DomainGetControlInfo => Done(_lifecycle.GetControlInfo(call)),
        RemoteProcedure.DomainGetVcpusFlags => _lifecycle.GetVcpusFlagsAsync(call),
        RemoteProcedure.DomainOpenConsole => Done(_consoles.Open(call)),
        RemoteProcedure.ConnectGetAllDomainStats => _stats.GetAllDomainStatsAsync(call),
        RemoteProcedure.DomainInterfaceStats => Done(_domainInterfaces.InterfaceStats(call)),
        RemoteProcedure.DomainMemoryStats => _memory.MemoryStatsAsync(call),
        RemoteProcedure.DomainSetMemory => _memory.SetMemoryAsync(call, withFlags: false),
        RemoteProcedure.DomainSetMemoryFlags => _memory.SetMemoryAsync(call, withFlags: true),
        RemoteProcedure.DomainSetMemoryStatsPeriod => _memory.SetMemoryStatsPeriodAsync(call),
        RemoteProcedure.DomainInterfaceAddresses => Done(_domainInterfaces.InterfaceAddresses(call)),
        RemoteProcedure.ConnectDomainEventRegisterAny => Done(_events.Register(call, legacy: true)),
        RemoteProcedure.ConnectDomainEventDeregisterAny => Done(_events.Deregister(call, legacy: true)),
        RemoteProcedure.ConnectDomainEventCallbackRegisterAny => Done(_events.Register(call, legacy: false)),
        RemoteProcedure.ConnectDomainEventCallbackDeregisterAny => Done(_events.Deregister(call, legacy: false)),
        RemoteProcedure.ConnectListAllNodeDevices when _nodeDevices is not null => Done(_nodeDevices.ListAll(call)),
        RemoteProcedure.NodeNumOfDevices when _nodeDevices is not null => Done(_nodeDevices.NumOfDevices(call)),
        RemoteProcedure.NodeListDevices when _nodeDevices is not null => Done(_nodeDevices.ListDevices(call)),
        RemoteProcedure.NodeDeviceLookupByName when _nodeDevices is not null => Done(_nodeDevices.LookupByName(call)),
        RemoteProcedure.NodeDeviceGetXmlDesc when _nodeDevices is not null => Done(_nodeDevices.GetXmlDesc(call)),
        RemoteProcedure.NodeDeviceGetParent when _nodeDevices is not null => Done(_nodeDevices.GetParent(call)),
        RemoteProcedure.NodeDeviceNumOfCaps when _nodeDevices is not null => Done(_nodeDevices.NumOfCaps(call)),
        RemoteProcedure.NodeDeviceListCaps when _nodeDevices is not null => Done(_nodeDevices.ListCaps(call)),
        RemoteProcedure.NodeDeviceDestroy when _nodeDevices is not null => Done(_nodeDevices.Destroy(call)),
        RemoteProcedure.ConnectListAllSecrets when _secrets is not null => Done(_secrets.ListAll(call)),
        RemoteProcedure.ConnectNumOfSecrets when _secrets is not null => Done(_secrets.NumOfSecrets(call)),
        RemoteProcedure.ConnectListSecrets when _secrets is not null => Done(_secrets.ListSecrets(call)),
        RemoteProcedure.SecretLookupByUuid when _secrets is not null => Done(_secrets.LookupByUuid(call)),
        RemoteProcedure.SecretLookupByUsage when _secrets is not null => Done(_secrets.LookupByUsage(call)),
        RemoteProcedure.SecretDefineXml when _secrets is not null => Done(_secrets.Define(call)),
        RemoteProcedure.SecretGetXmlDesc when _secrets is not null => Done(_secrets.GetXmlDesc(call)),
        RemoteProcedure.SecretSetValue when _secrets is not null => Done(_secrets.SetValue(call)),
        RemoteProcedure.SecretGetValue when _secrets is not null => Done(_secrets.GetValue(call)),
        RemoteProcedure.SecretUndefine when _secrets is not null => Done(_secrets.Undefine(call)),
        RemoteProcedure.ConnectListAllInterfaces when _interfaces is not null => Done(_interfaces.ListAll(call)),
        RemoteProcedure.ConnectNumOfInterfaces when _interfaces is not null => Done(_interfaces.NumOf(call, active: true)),
        RemoteProcedure.ConnectListInterfaces when _interfaces is not null => Done(_interfaces.ListNames(call, active: true)),
        RemoteProcedure.ConnectNumOfDefinedInterfaces when _interfaces is not null => Done(_interfaces.NumOf(call, active: false)),
        RemoteProcedure.ConnectListDefinedInterfaces when _interfaces is not null => Done(_interfaces.ListNames(call, active: false)),
        RemoteProcedure.InterfaceLookupByName when _interfaces is not null => Done(_interfaces.LookupByName(call)),
        RemoteProcedure.InterfaceLookupByMacString when _interfaces is not null => Done(_interfaces.LookupByMac(call)),
        RemoteProcedure.InterfaceGetXmlDesc when _interfaces is not null => Done(_interfaces.GetXmlDesc(call)),
        RemoteProcedure.InterfaceIsActive when _interfaces is not null => Done(_interfaces.IsActive(call)),
        RemoteProcedure.DomainSnapshotCreateXml when _snapshots is not null => Done(_snapshots.CreateXml(call)),
        RemoteProcedure.DomainSnapshotGetXmlDesc when _snapshots is not null => Done(_snapshots.GetXmlDesc(call)),
        RemoteProcedure.DomainSnapshotNum when _snapshots is not null => Done(_snapshots.Num(call)),
        RemoteProcedure.DomainSnapshotListNames when _snapshots is not null => Done(_snapshots.ListNames(call)),
        RemoteProcedure.DomainSnapshotLookupByName when _snapshots is not null => Done(_snapshots.LookupByName(call)),
        RemoteProcedure.DomainHasCurrentSnapshot when _snapshots is not null => Done(_snapshots.HasCurrent(call)),
        RemoteProcedure.DomainSnapshotCurrent when _snapshots is not null => Done(_snapshots.Current(call)),
        RemoteProcedure.DomainRevertToSnapshot when _snapshots is not null => _snapshots.RevertAsync(call),
        RemoteProcedure.DomainSnapshotDelete when _snapshots is not null => Done(_snapshots.Delete(call)),
        RemoteProcedure.DomainSnapshotGetParent when _snapshots is not null => Done(_snapshots.GetParent(call)),
        RemoteProcedure.DomainSnapshotNumChildren when _snapshots is not null => Done(_snapshots.NumChildren(call)),
        RemoteProcedure.DomainSnapshotListChildrenNames when _snapshots is not null => Done(_snapshots.ListChildrenNames(call)),
        RemoteProcedure.DomainSnapshotIsCurrent when _snapshots is not null => Done(_snapshots.IsCurrent(call)),
        RemoteProcedure.DomainSnapshotHasMetadata when _snapshots is not null => Done(_snapshots.HasMetadata(call)),
        RemoteProcedure.DomainListAllSnapshots when _snapshots is not null => Done(_snapshots.ListAll(call)),
        RemoteProcedure.DomainSnapshotListAllChildren when _snapshots is not null => Done(_snapshots.ListAllChildren(call)),
        RemoteProcedure.ConnectListAllNetworks when _networks is not null => Done(_networks.ListAll(call)),
        RemoteProcedure.ConnectNumOfNetworks when _networks is not null => Done(_networks.NumOf(call, active: true)),
        RemoteProcedure.ConnectListNetworks when _networks is not null => Done(_networks.ListNames(call, active: true)),
        RemoteProcedure.ConnectNumOfDefinedNetworks when _networks is not null => Done(_networks.NumOf(call, active: false)),
        RemoteProcedure.ConnectListDefinedNetworks when _networks is not null => Done(_networks.ListNames(call, active: false)),
        RemoteProcedure.NetworkLookupByName when _networks is not null => Done(_networks.LookupByName(call)),
        RemoteProcedure.NetworkLookupByUuid when _networks is not null => Done(_networks.LookupByUuid(call)),
        RemoteProcedure.NetworkDefineXml when _networks is not null => Done(_networks.Define(call, withFlags: false)),
        RemoteProcedure.NetworkDefineXmlFlags when _networks is not null => Done(_networks.Define(call, withFlags: true)),
        RemoteProcedure.NetworkCreateXml when _networks is not null => Done(_networks.CreateXml(call, withFlags: false)),
        RemoteProcedure.NetworkCreateXmlFlags when _networks is not null => Done(_networks.CreateXml(call, withFlags: true)),
        RemoteProcedure.NetworkUndefine when _networks is not null => Done(_networks.Undefine(call)),
        RemoteProcedure.NetworkCreate when _networks is not null => Done(_networks.Create(call)),
        RemoteProcedure.NetworkDestroy when _networks is not null => Done(_networks.Destroy(call)),
        RemoteProcedure.NetworkGetXmlDesc when _networks is not null => Done(_networks.GetXmlDesc(call)),
        RemoteProcedure.NetworkGetBridgeName when _networks is not null => Done(_networks.GetBridgeName(call)),
        RemoteProcedure.NetworkGetAutostart when _networks is not null => Done(_networks.GetAutostart(call)),
        RemoteProcedure.NetworkSetAutostart when _networks is not null => Done(_networks.SetAutostart(call)),
        RemoteProcedure.NetworkIsActive when _networks is not null => Done(_networks.IsActive(call)),
        RemoteProcedure.NetworkIsPersistent when _networks is not null => Done(_networks.IsPersistent(call)),
        RemoteProcedure.NetworkUpdate when _networks is not null => Done(_networks.Update(call)),
        RemoteProcedure.NetworkGetDhcpLeases when _networks is not null => Done(_networks.GetDhcpLeases(call)),
        RemoteProcedure.ConnectNetworkEventRegisterAny when _networks is not null => Done(ObjectEventProcedures.Network.Register(call)),
        RemoteProcedure.ConnectNetworkEventDeregisterAny when _networks is not null => Done(ObjectEventProcedures.Network.Deregister(call)),
        _ when _storagePools is not null && _storageVols is not null && DispatchStorage(call, procedure, _storagePools, _storageVols) is { } reply => Done(reply),
        // Network ports (virNetworkPort*) are not served: they answer "not supported" below, as every known procedure kvmd lacks.
        // A number without a public function (events, SASL and polkit steps, or none at all) is unknown to the dispatcher, as in libvirt.
        _ => Done((api is null ? RemoteError.Rpc($"unknown procedure: {call.Header.Procedure}") : RemoteError.NotSupported(api)).ToReply(call.Header)),
    };

    private static ValueTask<PacketBuffer> Done(PacketBuffer reply) => new(reply);

    /// <summary>
    /// The network and storage drivers' failures carry their own error domains (VIR_FROM_NETWORK: bridge_driver.c,
    /// network_conf.c; VIR_FROM_STORAGE: storage_driver.c, storage_conf.c), not the QEMU driver's; libvirt.c's own
    /// "not supported" and "read only" errors keep theirs.
    /// </summary>
    private static RemoteError FromDriver(RemoteError error, RemoteProcedure procedure)
    {
        if (error.Domain == VirErrorDomain.Rpc || error.Code is VirErrorCode.NoSupport or VirErrorCode.OperationDenied)
        {
            return error;
        }
        return NetworkProcedures.Serves(procedure) ? error with { Domain = VirErrorDomain.Network }
            : StoragePoolProcedures.Serves(procedure) ? error with { Domain = VirErrorDomain.Storage }
            : error;
    }

    /// <summary>
    /// The QEMU driver's lookup of the domain a call names (qemuDomainObjFromDomain) says which name the caller had for
    /// it: "no domain with matching uuid 'U' (NAME)". The driver core looks domains up by UUID alone, so the name is added
    /// here when the missing domain is the one the call's first argument (a remote_nonnull_domain) names.
    /// </summary>
    private static RemoteError WithCallersName(RemoteError error, RpcCall call)
    {
        if (error.Code != VirErrorCode.NoDomain)
        {
            return error;
        }
        try
        {
            XdrReader args = call.Reader();
            string name = args.ReadString();
            Guid uuid = RemoteDomain.ReadRawUuid(ref args);
            string message = DomainErrors.NoDomainByUuid(uuid).Message;
            return error.Message == message ? error with { Message = $"{message} ({name})" } : error;
        }
        catch (XdrException)
        {
            return error; // the first argument is not a domain
        }
    }
}
