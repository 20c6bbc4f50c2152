using Kvm.Driver.Domains;

namespace Kvm.Driver.Rpc;

/// <summary>remote_nonnull_domain on the wire: name, raw UUID (big-endian, as libvirt's text), id (-1 while inactive).</summary>
internal static class RemoteDomain
{
    /// <summary>Reads a domain reference and returns its UUID; the server looks domains up by UUID, as libvirt's get_nonnull_domain.</summary>
    public static Guid ReadUuid(ref XdrReader reader)
    {
        reader.ReadString();
        Guid uuid = ReadRawUuid(ref reader);
        reader.ReadInt32();
        return uuid;
    }

    public static Guid ReadRawUuid(ref XdrReader reader) => new(reader.ReadFixedOpaque(RpcLimits.UuidLength), bigEndian: true);

    public static void Write(ref XdrWriter writer, DomainInfo domain) => Write(ref writer, domain.Name, domain.Uuid, domain.Id);

    public static void Write(ref XdrWriter writer, string name, Guid uuid, int id)
    {
        writer.WriteString(name);
        Span<byte> raw = stackalloc byte[RpcLimits.UuidLength];
        uuid.TryWriteBytes(raw, bigEndian: true, out _);
        writer.WriteFixedOpaque(raw);
        writer.WriteInt32(id);
    }
}
