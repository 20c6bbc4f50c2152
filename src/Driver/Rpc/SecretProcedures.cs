using Kvm.Driver.Api;
using Kvm.Driver.Domains;
using Kvm.Driver.Secrets;

namespace Kvm.Driver.Rpc;

/// <summary>
/// The secret procedures over the driver core's <see cref="SecretManager"/>. A remote_nonnull_secret is the raw UUID,
/// the usage type and the usage id ("" for none, as virGetSecret keeps it); the server looks secrets up by UUID.
/// </summary>
internal sealed class SecretProcedures
{
    private const int MaxSecrets = 16_384;     // REMOTE_SECRET_LIST_MAX
    private const int MaxValue = 65_536;       // REMOTE_SECRET_VALUE_MAX
    private readonly SecretManager _secrets;

    public SecretProcedures(SecretManager secrets)
    {
        _secrets = secrets;
    }

    public PacketBuffer ListAll(RpcCall call)
    {
        XdrReader args = call.Reader();
        bool needResults = args.ReadInt32() != 0;
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        IReadOnlyList<SecretDef> secrets = _secrets.List(flags);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(needResults ? secrets.Count : 0, MaxSecrets);
        if (needResults)
        {
            foreach (SecretDef secret in secrets)
            {
                Write(ref body, secret);
            }
        }
        body.WriteUInt32((uint)secrets.Count);
        return reply;
    }

    public PacketBuffer NumOfSecrets(RpcCall call)
    {
        call.NoArgs();
        return call.ReplyInt(_secrets.List(0).Count);
    }

    public PacketBuffer ListSecrets(RpcCall call)
    {
        XdrReader args = call.Reader();
        int max = args.ReadInt32();
        args.EnsureEnd();
        if (max > MaxSecrets)
        {
            throw new DomainOperationException(VirErrorCode.Rpc, $"Too many secret UUIDs '{max}' for limit '{MaxSecrets}'");
        }
        string[] uuids = _secrets.List(0).Select(s => LibvirtUuid.Format(s.Uuid)).Take(Math.Max(0, max)).ToArray();
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteArrayCount(uuids.Length, MaxSecrets);
        foreach (string uuid in uuids)
        {
            body.WriteString(uuid);
        }
        return reply;
    }

    public PacketBuffer LookupByUuid(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = RemoteDomain.ReadRawUuid(ref args);
        args.EnsureEnd();
        return Reply(call, _secrets.LookupByUuid(uuid));
    }

    public PacketBuffer LookupByUsage(RpcCall call)
    {
        XdrReader args = call.Reader();
        int usageType = args.ReadInt32();
        string usageId = args.ReadString();
        args.EnsureEnd();
        return Reply(call, _secrets.LookupByUsage(usageType, usageId));
    }

    public PacketBuffer Define(RpcCall call)
    {
        XdrReader args = call.Reader();
        string xml = args.ReadString();
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        return Reply(call, _secrets.Define(xml, flags));
    }

    public PacketBuffer GetXmlDesc(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = ReadSecret(ref args);
        LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "secretGetXMLDesc");
        args.EnsureEnd();
        return call.ReplyString(SecretXml.Format(_secrets.LookupByUuid(uuid)));
    }

    public PacketBuffer SetValue(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = ReadSecret(ref args);
        ReadOnlySpan<byte> value = args.ReadOpaque(MaxValue);
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        _secrets.SetValue(uuid, value, flags);
        return call.Empty();
    }

    public PacketBuffer GetValue(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = ReadSecret(ref args);
        uint flags = args.ReadUInt32();
        args.EnsureEnd();
        byte[] value = _secrets.GetValue(uuid, flags);
        PacketBuffer reply = call.Reply(out XdrWriter body);
        body.WriteOpaque(value, MaxValue);
        return reply;
    }

    public PacketBuffer Undefine(RpcCall call)
    {
        XdrReader args = call.Reader();
        Guid uuid = ReadSecret(ref args);
        args.EnsureEnd();
        _secrets.Undefine(uuid);
        return call.Empty();
    }

    private static Guid ReadSecret(ref XdrReader args)
    {
        Guid uuid = RemoteDomain.ReadRawUuid(ref args);
        args.ReadInt32();
        args.ReadString();
        return uuid;
    }

    private static PacketBuffer Reply(RpcCall call, SecretDef secret)
    {
        PacketBuffer reply = call.Reply(out XdrWriter body);
        Write(ref body, secret);
        return reply;
    }

    private static void Write(ref XdrWriter body, SecretDef secret)
    {
        Span<byte> raw = stackalloc byte[RpcLimits.UuidLength];
        secret.Uuid.TryWriteBytes(raw, bigEndian: true, out _);
        body.WriteFixedOpaque(raw);
        body.WriteInt32((int)secret.UsageType);
        body.WriteString(secret.UsageId ?? "");
    }
}
