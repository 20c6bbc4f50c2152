using Tmds.DBus.Protocol;

namespace Kvm.Kvmctl;

internal sealed partial class LibvirtClient
{
    public Task<DomainProperties> GetDomainPropertiesAsync(string path, CancellationToken cancellationToken) =>
        CallAsync(path, PropertiesInterface, "GetAll", "s", (ref MessageWriter w) => w.WriteString(DomainInterface),
            static (Message reply, object? _) => DomainProperties.From(reply.GetBodyReader().ReadDictionaryOfStringToVariantValue()), cancellationToken);

    public Task SetAutostartAsync(string path, bool autostart, CancellationToken cancellationToken) =>
        CallVoidAsync(path, PropertiesInterface, "Set", "ssv", (ref MessageWriter w) =>
        {
            w.WriteString(DomainInterface);
            w.WriteString("Autostart");
            w.WriteVariantBool(autostart);
        }, cancellationToken);

    /// <summary>virDomainGetState: (state, reason).</summary>
    public Task<(int State, int Reason)> GetStateAsync(string path, CancellationToken cancellationToken) =>
        CallAsync(path, DomainInterface, "GetState", "u", (ref MessageWriter w) => w.WriteUInt32(0), static (Message reply, object? _) =>
        {
            Reader reader = reply.GetBodyReader();
            reader.AlignStruct();
            return (reader.ReadInt32(), reader.ReadInt32());
        }, cancellationToken);

    public Task<string> GetXmlDescAsync(string path, uint flags, CancellationToken cancellationToken) =>
        CallAsync(path, DomainInterface, "GetXMLDesc", "u", (ref MessageWriter w) => w.WriteUInt32(flags),
            static (Message reply, object? _) => reply.GetBodyReader().ReadString(), cancellationToken);

    /// <summary>virDomainListGetStats for one domain: typed parameters (each value still in libvirt-dbus's variants; see <see cref="ScalarOf"/>).</summary>
    public Task<Dictionary<string, VariantValue>> GetStatsAsync(string path, uint stats, CancellationToken cancellationToken) =>
        CallAsync(path, DomainInterface, "GetStats", "uu", (ref MessageWriter w) => { w.WriteUInt32(stats); w.WriteUInt32(0); },
            static (Message reply, object? _) => reply.GetBodyReader().ReadDictionaryOfStringToVariantValue(), cancellationToken);

    public Task<uint> GetVcpusAsync(string path, uint flags, CancellationToken cancellationToken) =>
        CallAsync(path, DomainInterface, "GetVcpus", "u", (ref MessageWriter w) => w.WriteUInt32(flags),
            static (Message reply, object? _) => reply.GetBodyReader().ReadUInt32(), cancellationToken);

    public Task<bool> HasManagedSaveImageAsync(string path, CancellationToken cancellationToken) =>
        CallAsync(path, DomainInterface, "HasManagedSaveImage", "u", (ref MessageWriter w) => w.WriteUInt32(0),
            static (Message reply, object? _) => reply.GetBodyReader().ReadBool(), cancellationToken);

    /// <summary>virDomainGetSecurityLabelList: (label, enforcing) per security driver.</summary>
    public Task<IReadOnlyList<(string Label, bool Enforcing)>> GetSecurityLabelListAsync(string path, CancellationToken cancellationToken) =>
        CallAsync<IReadOnlyList<(string Label, bool Enforcing)>>(path, DomainInterface, "GetSecurityLabelList", null, null, static (Message reply, object? _) =>
        {
            Reader reader = reply.GetBodyReader();
            var labels = new List<(string, bool)>();
            ArrayEnd end = reader.ReadArrayStart(DBusType.Struct);
            while (reader.HasNext(end))
            {
                reader.AlignStruct();
                labels.Add((reader.ReadString(), reader.ReadBool()));
            }
            return labels;
        }, cancellationToken);

    /// <summary>A Domain method taking only <c>flags</c> (Create, Destroy, Shutdown, Reboot, Reset, Undefine).</summary>
    public Task CallWithFlagsAsync(string path, string member, uint flags, CancellationToken cancellationToken) =>
        CallVoidAsync(path, DomainInterface, member, "u", (ref MessageWriter w) => w.WriteUInt32(flags), cancellationToken);

    /// <summary>A Domain method without arguments (Suspend, Resume).</summary>
    public Task CallWithoutArgumentsAsync(string path, string member, CancellationToken cancellationToken) =>
        CallVoidAsync(path, DomainInterface, member, null, null, cancellationToken);
}
