using Kvm.DBus.Protocol;

namespace Kvm.Kvmctl;

internal sealed partial class LibvirtClient
{
    public async Task<DomainProperties> GetDomainPropertiesAsync(string path, CancellationToken cancellationToken)
    {
        using Message reply = await CallAsync(path, PropertiesInterface, "GetAll", "s", (ref MessageWriter w) => w.WriteString(DomainInterface), cancellationToken)
            .ConfigureAwait(false);
        return DomainProperties.From(reply.GetBodyReader().ReadDictionaryOfStringToVariant());
    }

    public Task SetAutostartAsync(string path, bool autostart, CancellationToken cancellationToken) =>
        CallVoidAsync(path, PropertiesInterface, "Set", "ssv", (ref MessageWriter w) =>
        {
            w.WriteString(DomainInterface);
            w.WriteString("Autostart");
            w.WriteVariantBool(autostart);
        }, cancellationToken);

    /// <summary>virDomainGetState: (state, reason).</summary>
    public async Task<(int State, int Reason)> GetStateAsync(string path, CancellationToken cancellationToken)
    {
        using Message reply = await CallAsync(path, DomainInterface, "GetState", "u", (ref MessageWriter w) => w.WriteUInt32(0), cancellationToken)
            .ConfigureAwait(false);
        Reader reader = reply.GetBodyReader();
        reader.AlignStruct();
        return (reader.ReadInt32(), reader.ReadInt32());
    }

    public async Task<string> GetXmlDescAsync(string path, uint flags, CancellationToken cancellationToken)
    {
        using Message reply = await CallAsync(path, DomainInterface, "GetXMLDesc", "u", (ref MessageWriter w) => w.WriteUInt32(flags), cancellationToken)
            .ConfigureAwait(false);
        return reply.GetBodyReader().ReadString();
    }

    /// <summary>virDomainListGetStats for one domain: typed parameters with every wrapping variant removed.</summary>
    public async Task<Dictionary<string, DBusValue>> GetStatsAsync(string path, uint stats, CancellationToken cancellationToken)
    {
        using Message reply = await CallAsync(path, DomainInterface, "GetStats", "uu", (ref MessageWriter w) => { w.WriteUInt32(stats); w.WriteUInt32(0); },
            cancellationToken).ConfigureAwait(false);
        return reply.GetBodyReader().ReadDictionaryOfStringToVariant().ToDictionary(p => p.Key, p => Unwrap(p.Value), StringComparer.Ordinal);
    }

    public async Task<uint> GetVcpusAsync(string path, uint flags, CancellationToken cancellationToken)
    {
        using Message reply = await CallAsync(path, DomainInterface, "GetVcpus", "u", (ref MessageWriter w) => w.WriteUInt32(flags), cancellationToken)
            .ConfigureAwait(false);
        return reply.GetBodyReader().ReadUInt32();
    }

    public async Task<bool> HasManagedSaveImageAsync(string path, CancellationToken cancellationToken)
    {
        using Message reply = await CallAsync(path, DomainInterface, "HasManagedSaveImage", "u", (ref MessageWriter w) => w.WriteUInt32(0), cancellationToken)
            .ConfigureAwait(false);
        return reply.GetBodyReader().ReadBool();
    }

    /// <summary>virDomainGetSecurityLabelList: (label, enforcing) per security driver.</summary>
    public async Task<IReadOnlyList<(string Label, bool Enforcing)>> GetSecurityLabelListAsync(string path, CancellationToken cancellationToken)
    {
        using Message reply = await CallAsync(path, DomainInterface, "GetSecurityLabelList", null, null, cancellationToken).ConfigureAwait(false);
        Reader reader = reply.GetBodyReader();
        var labels = new List<(string, bool)>();
        ArrayEnd end = reader.ReadArrayStart(DBusType.Struct);
        while (reader.HasNext(end))
        {
            reader.AlignStruct();
            labels.Add((reader.ReadString(), reader.ReadBool()));
        }
        return labels;
    }

    /// <summary>A Domain method taking only <c>flags</c> (Create, Destroy, Shutdown, Reboot, Reset, Undefine).</summary>
    public Task CallWithFlagsAsync(string path, string member, uint flags, CancellationToken cancellationToken) =>
        CallVoidAsync(path, DomainInterface, member, "u", (ref MessageWriter w) => w.WriteUInt32(flags), cancellationToken);

    /// <summary>A Domain method without arguments (Suspend, Resume).</summary>
    public Task CallWithoutArgumentsAsync(string path, string member, CancellationToken cancellationToken) =>
        CallVoidAsync(path, DomainInterface, member, null, null, cancellationToken);

    private async Task CallVoidAsync(string path, string @interface, string member, string? signature, BodyWriter? body, CancellationToken cancellationToken)
    {
        using Message reply = await CallAsync(path, @interface, member, signature, body, cancellationToken).ConfigureAwait(false);
    }
}
