using Kvm.Driver.Api;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>A domain's definition: define, undefine, XML, autostart, metadata, rename and the definition's facts.</summary>
internal sealed class DomainDefinitionProcedures
{
    private const uint DefineValidate = 1; // VIR_DOMAIN_DEFINE_VALIDATE: kvmd always validates

    private readonly IDomainManager _manager;

    public DomainDefinitionProcedures(IDomainManager manager)
    {
        _manager = manager;
    }

    public PacketBuffer Define(RpcCall call, bool withFlags)
    {
        XdrReader args = call.Reader();
        string xml = args.ReadXmlString();
        uint flags = withFlags ? args.ReadUInt32() : 0;
        args.EnsureEnd();
        LibvirtErrors.CheckFlags(flags, DefineValidate, "qemuDomainDefineXMLFlags");
        DomainInfo defined = _manager.Define(xml);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        RemoteDomain.Write(ref body, defined);
        return reply;
    }

    public PacketBuffer Undefine(RpcCall call, bool withFlags)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        uint flags = withFlags ? args.ReadUInt32() : 0;
        args.EnsureEnd();
        _manager.Undefine(_manager.LookupByUuid(uuid).Uuid, flags);
        return call.Empty();
    }

    public PacketBuffer GetXmlDesc(RpcCall call)
    {
        (Guid uuid, uint flags) = DomainAndFlags(call);
        if (call.Client.ReadOnly && (flags & (uint)(DomainXmlFlags.Secure | DomainXmlFlags.Migratable)) != 0)
        {
            // virDomainGetXMLDesc's own read-only rule: secrets (and the migratable form) are for read-write connections.
            throw new DomainOperationException(VirErrorCode.OperationDenied, "operation forbidden: virDomainGetXMLDesc with secure flag");
        }
        LibvirtErrors.CheckFlags(flags, (uint)(DomainXmlFlags.Secure | DomainXmlFlags.Inactive | DomainXmlFlags.UpdateCpu | DomainXmlFlags.Migratable),
            "qemuDomainGetXMLDesc");
        return call.ReplyString(_manager.GetXmlDesc(_manager.LookupByUuid(uuid).Uuid, (DomainXmlFlags)flags));
    }

    public PacketBuffer GetAutostart(RpcCall call) => call.ReplyInt(Domain(call).Autostart ? 1 : 0);

    public PacketBuffer SetAutostart(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        int autostart = args.ReadInt32();
        args.EnsureEnd();
        _manager.SetAutostart(_manager.LookupByUuid(uuid).Uuid, autostart != 0);
        return call.Empty();
    }

    public PacketBuffer GetOsType(RpcCall call) => call.ReplyString(Domain(call).OsType);

    public PacketBuffer IsPersistent(RpcCall call) => call.ReplyInt(Domain(call).Persistent ? 1 : 0);

    public PacketBuffer IsUpdated(RpcCall call) => call.ReplyInt(Domain(call).Updated ? 1 : 0);

    public PacketBuffer GetMaxMemory(RpcCall call)
    {
        return call.ReplyUInt64(Domain(call).MaxMemoryKiB);
    }

    /// <summary>kvmd has no managed save: never an image.</summary>
    public PacketBuffer HasManagedSaveImage(RpcCall call)
    {
        (Guid uuid, uint flags) = DomainAndFlags(call);
        LibvirtErrors.CheckFlags(flags, 0, "qemuDomainHasManagedSaveImage");
        _manager.LookupByUuid(uuid);
        return call.ReplyInt(0);
    }

    public PacketBuffer GetMetadata(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        int type = args.ReadInt32();
        string? uri = args.ReadOptionalString();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return call.ReplyString(_manager.GetMetadata(_manager.LookupByUuid(uuid).Uuid, type, uri, flags));
    }

    public PacketBuffer SetMetadata(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        int type = args.ReadInt32();
        string? metadata = args.ReadOptionalString();
        string? key = args.ReadOptionalString();
        string? uri = args.ReadOptionalString();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        _manager.SetMetadata(_manager.LookupByUuid(uuid).Uuid, type, metadata, key, uri, flags);
        return call.Empty();
    }

    public PacketBuffer Rename(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        string? name = args.ReadOptionalString();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        LibvirtErrors.CheckFlags(flags, 0, "qemuDomainRename");
        _manager.Rename(_manager.LookupByUuid(uuid).Uuid, name ?? throw DomainErrors.InvalidArg("new_name in virDomainRename must not be NULL"));
        return call.ReplyInt(0);
    }

    /// <summary>A call whose only argument is the domain; its current snapshot.</summary>
    private DomainInfo Domain(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        args.EnsureEnd();
        return _manager.LookupByUuid(uuid);
    }

    private static (Guid Uuid, uint Flags) DomainAndFlags(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadUuid(ref args);
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return (uuid, flags);
    }
}
