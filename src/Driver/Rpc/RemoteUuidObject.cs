namespace Kvm.Driver.Rpc;

/// <summary>
/// The wire shape remote_nonnull_network and remote_nonnull_storage_pool share: a name and a raw UUID (big-endian, as
/// libvirt's text). The server finds such objects by UUID, as libvirt's drivers do; the name only colours the error.
/// </summary>
internal static class RemoteUuidObject
{
    public static (string Name, Guid Uuid) Read(ref XdrReader reader)
    {
        string name = reader.ReadString();
        return (name, RemoteDomain.ReadRawUuid(ref reader));
    }

    /// <summary>An optional (pointer) object, as the event registrations take: absent means every object.</summary>
    public static (string Name, Guid Uuid)? ReadOptional(ref XdrReader reader) => reader.ReadBool() ? Read(ref reader) : null;

    public static void Write(ref XdrWriter writer, string name, Guid uuid)
    {
        writer.WriteString(name);
        Span<byte> raw = stackalloc byte[RpcLimits.UuidLength];
        uuid.TryWriteBytes(raw, bigEndian: true, out _);
        writer.WriteFixedOpaque(raw);
    }
}
