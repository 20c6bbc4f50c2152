namespace Kvm.Driver.Rpc;

/// <summary>
/// A failure of the RPC front end's own dispatch code (connection state, event registration), sent as
/// <see cref="Error"/>: libvirt raises these in remote_daemon_dispatch.c, whose errors carry VIR_FROM_RPC, not the
/// driver's domain.
/// </summary>
public sealed class RemoteErrorException : Exception
{
    public RemoteErrorException(RemoteError error)
        : base(error.Message)
    {
        Error = error;
    }

    public RemoteError Error { get; }

    /// <summary>VIR_ERR_INTERNAL_ERROR from the dispatch code ("internal error: " + <paramref name="message"/>).</summary>
    public static RemoteErrorException Internal(string message) =>
        new(new RemoteError(Domains.VirErrorCode.InternalError, VirErrorDomain.Rpc, "internal error: " + message));
}
