using NLog;

namespace Kvm.Driver.Rpc;

/// <summary>The RPC front end's frequent and test-asserted log messages, in one place.</summary>
internal static class RpcLog
{
    private static readonly Logger s_log = LogManager.GetLogger("Kvm.Driver.Rpc");

    public static void Listening(string path, bool readOnly) =>
        s_log.Info("Serving libvirt's RPC protocol on {Socket} ({Access})", path, readOnly ? "read-only" : "read-write");

    public static void Refused(PeerCredentials peer, string path) =>
        s_log.Warn("Refused client pid {Pid} uid {Uid} on {Socket}: not root and not in the access group", peer.Pid, peer.Uid, path);

    public static void Accepted(int client, PeerCredentials peer, bool readOnly) =>
        s_log.Debug("Client {Client} connected: pid {Pid} uid {Uid}{Access}", client, peer.Pid, peer.Uid, readOnly ? " read-only" : "");

    public static void Disconnected(int client, string reason) => s_log.Debug("Client {Client} disconnected: {Reason}", client, reason);

    public static void BadPacket(int client, string error) => s_log.Warn("Client {Client} sent a malformed packet, disconnecting it: {Error}", client, error);

    public static void NotReading(int client, int queued) =>
        s_log.Warn("Client {Client} does not read its replies and events ({Queued} packets queued): disconnecting it", client, queued);

    public static void Call(int client, int procedure, uint serial) =>
        s_log.Debug("Client {Client} calls procedure {Procedure} serial {Serial}", client, procedure, serial);

    public static void UnexpectedStreamData(int client, int procedure, uint serial, int status) =>
        s_log.Debug("Client {Client}: ignoring stream data for no open stream (procedure {Procedure} serial {Serial} status {Status})", client, procedure, serial, status);

    public static void ConsoleOpened(int client, string domain, string pty, bool force) =>
        s_log.Info("Client {Client} opened the console of domain {Domain} ({Pty}){Force}", client, domain, pty, force ? " by force" : "");
}
