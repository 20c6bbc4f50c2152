using Kvm.Driver.Api;
using Kvm.Driver.Consoles;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>DOMAIN_OPEN_CONSOLE: a stream on the running domain's serial console, one client at a time.</summary>
internal sealed class ConsoleProcedures
{
    private const uint ConsoleForce = 1, ConsoleSafe = 2; // virDomainConsoleFlags

    private readonly IDomainManager _manager;
    private readonly ConsoleHub _hub;

    public ConsoleProcedures(IDomainManager manager, ConsoleHub hub)
    {
        _manager = manager;
        _hub = hub;
    }

    /// <summary>
    /// remote_domain_open_console_args (dom, dev_name, flags); the reply is empty and the stream (this call's procedure
    /// and serial) carries the console. SAFE is always honoured: kvmd never lets two clients share a console.
    /// </summary>
    public PacketBuffer Open(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        string? devName = args.ReadOptionalString();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        LibvirtErrors.CheckFlags(flags, ConsoleForce | ConsoleSafe, "qemuDomainOpenConsole");
        RpcStreams streams = call.Client.Streams ?? throw RemoteErrorException.Internal("this connection cannot carry streams");
        DomainInfo domain = _manager.LookupByUuid(uuid);
        string pty = _manager.GetConsolePty(domain.Uuid, devName);
        bool force = (flags & ConsoleForce) != 0;
        ConsoleSession session = _hub.Open(pty, force);
        var handler = new ConsoleStream(session);
        RpcStream stream;
        try
        {
            stream = streams.Add(call.Header, handler);
        }
        catch
        {
            _ = session.DisposeAsync();
            throw;
        }
        handler.Start(stream);
        RpcLog.ConsoleOpened(streams.Sink.Id, domain.Name, pty, force);
        return call.Empty();
    }
}
