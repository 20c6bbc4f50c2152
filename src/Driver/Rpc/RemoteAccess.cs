namespace Kvm.Driver.Rpc;

/// <summary>Which procedures may run before CONNECT_OPEN (what a read-only connection may not call is libvirt's own list: <see cref="RemoteProcedureNames.RefusedReadOnly"/>).</summary>
internal static class RemoteAccess
{
    /// <summary>Procedures a client may call before it has opened the connection (libvirt's authentication and open steps).</summary>
    public static bool IsAllowedBeforeOpen(RemoteProcedure procedure) =>
        procedure is RemoteProcedure.AuthList or RemoteProcedure.ConnectOpen or RemoteProcedure.ConnectSupportsFeature;

    /// <summary>The procedures kvmd serves that have no public libvirt function of the same name (the daemon's own).</summary>
    public static bool IsServedWithoutApiName(RemoteProcedure procedure) =>
        procedure is RemoteProcedure.AuthList or RemoteProcedure.ConnectDomainEventCallbackRegisterAny or RemoteProcedure.ConnectDomainEventCallbackDeregisterAny;
}
