using Kvm.Driver.Domains;
using Kvm.Driver.Host;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// org.libvirt.Connect at /org/libvirt/QEMU: the node's properties, the domain factory and lookup methods, host
/// capabilities and statistics. Members kvmd does not implement answer libvirt's "not supported" error.
/// </summary>
internal sealed class ConnectObject : ILibvirtObject
{
    private readonly IDomainManager _manager;
    private readonly KvmdApiOptions _options;
    private readonly Lazy<HostInfo> _host;
    private readonly CancellationToken _stopping;
    private readonly Pools.StoragePoolManager? _pools;
    private readonly HostObjectTree? _hostObjects;
    private readonly Networks.NetworkManager? _networks;

    public ConnectObject(IDomainManager manager, KvmdApiOptions options, Func<HostInfo> host, CancellationToken stopping,
        Pools.StoragePoolManager? pools = null, HostObjectTree? hostObjects = null, Networks.NetworkManager? networks = null)
    {
        _pools = pools;
        _hostObjects = hostObjects;
        _networks = networks;
        _manager = manager;
        _options = options;
        _host = new Lazy<HostInfo>(host);
        _stopping = stopping;
    }

    public LibvirtInterface Interface => LibvirtInterface.Connect;

    public VariantValue GetProperty(string path, string name) => name switch
    {
        "Encrypted" => VariantValue.Bool(false), // a local connection; D-Bus traffic is out of its scope
        "Hostname" => VariantValue.String(_manager.Hostname),
        "LibVersion" => VariantValue.UInt64(_options.LibVersion),
        "Secure" => VariantValue.Bool(false), // libvirt-dbus answers virConnectIsEncrypted here too: copied
        "Version" => VariantValue.UInt64(_options.HypervisorVersion),
        _ => throw new ArgumentException($"No property {name} in {Interface.Name}", nameof(name)),
    };

    public IEnumerable<KeyValuePair<string, VariantValue>> GetAllProperties(string path)
    {
        var values = new List<KeyValuePair<string, VariantValue>>();
        foreach (PropertyDescription property in Interface.Description.Properties)
        {
            try
            {
                values.Add(new(property.Name, GetProperty(path, property.Name)));
            }
            catch (DomainOperationException)
            {
                // libvirt-dbus leaves out a property whose getter fails
            }
        }
        return values;
    }

    public void SetProperty(string path, string name, ref Reader value) =>
        throw new InvalidOperationException($"{Interface.Name} has no writable property {name}");

    public ValueTask CallAsync(MethodContext context, LibvirtCall call)
    {
        Reader args = context.Request.GetBodyReader();
        switch ((call.Member, call.Signature))
        {
            case ("ListDomains", "u"):
                ListDomains(context, args.ReadUInt32());
                break;
            case ("DomainDefineXML", "s"):
                Replies.ObjectPath(context, LibvirtPaths.Domain(_manager.Define(BusArguments.ReadXml(ref args)).Uuid));
                break;
            case ("DomainCreateXML", "su"):
            {
                string xml = BusArguments.ReadXml(ref args);
                uint flags = args.ReadUInt32();
                LibvirtErrors.CheckFlags(flags, LibvirtErrors.StartPaused, "qemuDomainCreateXML");
                return CreateXmlAsync(context, xml, (flags & LibvirtErrors.StartPaused) != 0);
            }
            case ("DomainLookupByName", "s"):
                Replies.ObjectPath(context, LibvirtPaths.Domain(_manager.LookupByName(BusArguments.ReadDomainName(ref args)).Uuid));
                break;
            case ("DomainLookupByUUID", "s"):
                Replies.ObjectPath(context, LibvirtPaths.Domain(_manager.LookupByUuid(ParseUuid(args.ReadString())).Uuid));
                break;
            case ("DomainLookupByID", "i"):
                Replies.ObjectPath(context, LibvirtPaths.Domain(_manager.LookupById(args.ReadInt32()).Uuid));
                break;
            case ("GetCapabilities", ""):
                Replies.String(context, CapabilitiesXml.Capabilities(_host.Value, _options));
                break;
            case ("GetDomainCapabilities", "ssssu"):
            {
                (string emulator, string arch, string machine, string virtType) = (args.ReadString(), args.ReadString(), args.ReadString(), args.ReadString());
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "qemuConnectGetDomainCapabilities");
                Replies.String(context, CapabilitiesXml.DomainCapabilities(emulator, arch, machine, virtType, _options));
                break;
            }
            case ("GetSysinfo", "u"):
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "qemuConnectGetSysinfo");
                Replies.String(context, CapabilitiesXml.Sysinfo(_host.Value));
                break;
            case ("NodeGetFreeMemory", ""):
                Replies.UInt64(context, HostInfo.ReadFreeMemoryBytes());
                break;
            case ("NodeGetMemoryStats", "iu"):
            {
                // libvirt-dbus asks for the count (nparams 0), then for that many: the figures of the cell.
                NodeMemoryStats stats = NodeMemoryStats.Open(args.ReadInt32(), args.ReadUInt32());
                Replies.Stats(context, stats.Read());
                break;
            }
            case ("NodeGetCPUStats", "iu"):
                Replies.Stats(context, NodeCpuStats.Open(args.ReadInt32(), args.ReadUInt32()).Read());
                break;
            case ("NodeGetCPUMap", "u"):
                Replies.Booleans(context, NodeCpuMap.Read(args.ReadUInt32()).Online);
                break;
            case ("GetCPUModelNames", "su"):
                Replies.Strings(context, CpuModels.Names(args.ReadString(), args.ReadUInt32()));
                break;
            case ("GetAllDomainStats", "uu"):
                return GetAllDomainStatsAsync(context, args.ReadUInt32(), args.ReadUInt32());
            case (_, _) when _pools is not null && ConnectStorage.TryCall(_pools, context, call, ref args):
                break;
            case (_, _) when _hostObjects is not null && _hostObjects.TryCall(context, call, ref args):
            case (_, _) when _networks is not null && ConnectNetworks.TryCall(_networks, context, call, ref args):
                break;
            default:
                throw LibvirtErrors.NotSupported(Interface.ApiName(call.Member));
        }
        return ValueTask.CompletedTask;
    }

    private async ValueTask CreateXmlAsync(MethodContext context, string xml, bool paused)
    {
        DomainInfo created = await _manager.CreateTransientAsync(xml, paused, _stopping).ConfigureAwait(false);
        Replies.ObjectPath(context, LibvirtPaths.Domain(created.Uuid));
    }

    private void ListDomains(MethodContext context, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, (uint)DomainListFlags.All, "qemuConnectListAllDomains");
        Replies.ObjectPaths(context, _manager.List()
            .Where(d => DomainListFilter.Matches(d, (DomainListFlags)flags))
            .Select(d => LibvirtPaths.Domain(d.Uuid)));
    }

    private async ValueTask GetAllDomainStatsAsync(MethodContext context, uint stats, uint flags)
    {
        DomainStatsGroups groups = DomainStats.Validate(stats, flags, "qemuConnectGetAllDomainStats");
        var filter = (DomainListFlags)flags & DomainListFilter.StateFilters;
        var records = new List<(string Name, List<KeyValuePair<string, VariantValue>> Stats)>();
        foreach (DomainInfo domain in _manager.List().Where(d => DomainListFilter.Matches(d, filter)))
        {
            IReadOnlyList<DomainVcpuInfo>? vcpus = await DomainStats.GetVcpusAsync(_manager, domain, groups, _stopping).ConfigureAwait(false);
            IReadOnlyList<DomainBlockStats>? disks = await DomainStats.GetDisksAsync(_manager, domain, groups, _stopping).ConfigureAwait(false);
            IReadOnlyList<DomainMemoryStat>? memory = await DomainStats.GetMemoryAsync(_manager, domain, groups, _stopping).ConfigureAwait(false);
            records.Add((domain.Name, DomainStats.Collect(domain, groups, vcpus, disks, memory: memory)));
        }
        MessageWriter writer = context.CreateReplyWriter("a(sa{sv})");
        try
        {
            ArrayStart array = writer.WriteArrayStart(DBusType.Struct);
            foreach ((string name, List<KeyValuePair<string, VariantValue>> domainStats) in records)
            {
                writer.WriteStructureStart();
                writer.WriteString(name); // libvirt-dbus gives names here, not object paths
                Replies.WriteDoubleWrapped(ref writer, domainStats);
            }
            writer.WriteArrayEnd(array);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    private static Guid ParseUuid(string text) => LibvirtUuid.TryParse(text, out Guid uuid) ? uuid : throw LibvirtErrors.InvalidUuid();
}
