namespace Kvm.Driver.Rpc;

/// <summary>Which procedures change something (refused on a read-only connection) and which may run before CONNECT_OPEN.</summary>
internal static class RemoteAccess
{
    /// <summary>The procedures whose libvirt API starts with virCheckReadOnlyGoto.</summary>
    public static bool IsMutating(RemoteProcedure procedure) => procedure switch
    {
        RemoteProcedure.DomainCreate or RemoteProcedure.DomainCreateWithFlags or RemoteProcedure.DomainCreateXml
            or RemoteProcedure.DomainDefineXml or RemoteProcedure.DomainDefineXmlFlags
            or RemoteProcedure.DomainUndefine or RemoteProcedure.DomainUndefineFlags
            or RemoteProcedure.DomainDestroy or RemoteProcedure.DomainDestroyFlags
            or RemoteProcedure.DomainShutdown or RemoteProcedure.DomainShutdownFlags
            or RemoteProcedure.DomainReboot or RemoteProcedure.DomainReset
            or RemoteProcedure.DomainSuspend or RemoteProcedure.DomainResume
            or RemoteProcedure.DomainSetAutostart or RemoteProcedure.DomainSetMetadata or RemoteProcedure.DomainRename => true,
        _ => false,
    };

    /// <summary>Procedures a client may call before it has opened the connection (libvirt's authentication and open steps).</summary>
    public static bool IsAllowedBeforeOpen(RemoteProcedure procedure) =>
        procedure is RemoteProcedure.AuthList or RemoteProcedure.ConnectOpen or RemoteProcedure.ConnectSupportsFeature;

    /// <summary>The procedures kvmd serves that have no public libvirt function of the same name (the daemon's own).</summary>
    public static bool IsServedWithoutApiName(RemoteProcedure procedure) =>
        procedure is RemoteProcedure.AuthList or RemoteProcedure.ConnectDomainEventCallbackRegisterAny or RemoteProcedure.ConnectDomainEventCallbackDeregisterAny;
}
