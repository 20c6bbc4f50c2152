using Kvm.Driver.Api;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>The connection's procedures: authentication, open and close, features, the node's identity and capabilities.</summary>
internal sealed class ConnectProcedures
{
    // virDrvFeature (libvirt_internal.h): what kvmd answers true.
    private const int FeatureXmlMigratable = 11, FeatureProgramKeepalive = 10, FeatureRemoteEventCallback = 14;

    private const int AuthNone = 0; // remote_auth_type REMOTE_AUTH_NONE
    private const uint ConnectReadOnly = 1; // VIR_CONNECT_RO (the client's REMOTE_DRIVER_OPEN_RO); its other bits are its own

    private readonly IDomainManager _manager;
    private readonly RpcServerOptions _options;
    private readonly Lazy<HostInfo> _host = new(() => HostInfo.Read());

    public ConnectProcedures(IDomainManager manager, RpcServerOptions options)
    {
        _manager = manager;
        _options = options;
    }

    /// <summary>Unix sockets need no authentication: the peer's credentials were checked on accept.</summary>
    public PacketBuffer AuthList(RpcCall call)
    {
        call.NoArgs();
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(1, RpcLimits.MaxAuthTypes);
        body.WriteInt32(AuthNone);
        return reply;
    }

    public PacketBuffer Open(RpcCall call)
    {
        XdrReader args = call.Reader();
        string? name = args.ReadOptionalString();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        if (call.Client.Opened)
        {
            throw RemoteErrorException.Internal("connection already open");
        }
        // libvirt 9.0's client sends its socket-choice flags here (1 read-only, 2 per-user, 4 autostart); the daemon keeps the read-only bit only.
        string uri = name is { Length: > 0 } ? CheckUri(name) : _options.Uri;
        call.Client.Open((flags & ConnectReadOnly) != 0, uri);
        return call.Empty();
    }

    public PacketBuffer Close(RpcCall call)
    {
        call.NoArgs();
        call.Client.Close();
        return call.Empty();
    }

    public PacketBuffer SupportsFeature(RpcCall call)
    {
        XdrReader args = call.Reader();
        int feature = args.ReadInt32();
        args.EnsureEnd();
        if (feature != FeatureProgramKeepalive && !call.Client.Opened)
        {
            throw RemoteErrorException.Internal("hypervisor connection not open");
        }
        bool supported = feature is FeatureProgramKeepalive or FeatureRemoteEventCallback or FeatureXmlMigratable;
        return call.ReplyInt(supported ? 1 : 0);
    }

    public PacketBuffer GetType(RpcCall call)
    {
        call.NoArgs();
        return call.ReplyString("QEMU");
    }

    public PacketBuffer GetVersion(RpcCall call)
    {
        call.NoArgs();
        return call.ReplyUInt64(_options.Api.HypervisorVersion);
    }

    public PacketBuffer GetLibVersion(RpcCall call)
    {
        call.NoArgs();
        return call.ReplyUInt64(_options.Api.LibVersion);
    }

    public PacketBuffer GetHostname(RpcCall call)
    {
        call.NoArgs();
        return call.ReplyString(_manager.Hostname);
    }

    public PacketBuffer GetUri(RpcCall call)
    {
        call.NoArgs();
        return call.ReplyString(call.Client.Uri ?? _options.Uri);
    }

    /// <summary>A Unix socket on this host is as secure as libvirt counts it.</summary>
    public PacketBuffer IsSecure(RpcCall call)
    {
        call.NoArgs();
        return call.ReplyInt(1);
    }

    public PacketBuffer GetMaxVcpus(RpcCall call)
    {
        XdrReader args = call.Reader();
        args.ReadOptionalString();
        args.EnsureEnd();
        return call.ReplyInt(_options.Api.MaxVcpus);
    }

    public PacketBuffer GetCapabilities(RpcCall call)
    {
        call.NoArgs();
        return call.ReplyString(CapabilitiesXml.Capabilities(_host.Value, _options.Api));
    }

    public PacketBuffer GetDomainCapabilities(RpcCall call)
    {
        XdrReader args = call.Reader();
        string emulator = args.ReadOptionalString() ?? "";
        string arch = args.ReadOptionalString() ?? "";
        string machine = args.ReadOptionalString() ?? "";
        string virtType = args.ReadOptionalString() ?? "";
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        LibvirtErrors.CheckFlags(flags, 0, "qemuConnectGetDomainCapabilities");
        return call.ReplyString(CapabilitiesXml.DomainCapabilities(emulator, arch, machine, virtType, _options.Api));
    }

    public PacketBuffer GetSysinfo(RpcCall call)
    {
        XdrReader args = call.Reader();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        LibvirtErrors.CheckFlags(flags, 0, "qemuConnectGetSysinfo");
        return call.ReplyString(CapabilitiesXml.Sysinfo(_host.Value));
    }

    public PacketBuffer NodeGetInfo(RpcCall call)
    {
        call.NoArgs();
        PacketBuffer reply = call.Reply(out XdrWriter body);
        NodeInfo.From(_host.Value, NodeInfo.ReadMhz()).Write(ref body);
        return reply;
    }

    public PacketBuffer NodeGetFreeMemory(RpcCall call)
    {
        call.NoArgs();
        return call.ReplyUInt64(HostInfo.ReadFreeMemoryBytes());
    }

    /// <summary>
    /// virtqemud's checks of the URI a client opens (virConnectValidateURIPath): only qemu, and the path its privilege
    /// allows (/session, or as root /system, and /session too for compatibility). The query (socket=...) is the client's.
    /// </summary>
    private static string CheckUri(string name)
    {
        string bare = name.Split('?', 2)[0];
        if (!bare.StartsWith("qemu://", StringComparison.Ordinal))
        {
            throw new DomainOperationException(VirErrorCode.NoConnect, "no connection driver available for " + name);
        }
        int pathStart = bare.IndexOf('/', "qemu://".Length);
        string path = pathStart < 0 ? "" : bare[pathStart..];
        bool allowed = Environment.IsPrivilegedProcess ? path is "/system" or "/session" : path == "/session";
        if (!allowed)
        {
            string suggestion = Environment.IsPrivilegedProcess ? "qemu:///system" : "qemu:///session";
            throw new DomainOperationException(VirErrorCode.InternalError, $"internal error: unexpected qemu URI path '{path}', try {suggestion}");
        }
        return "qemu://" + path;
    }
}
