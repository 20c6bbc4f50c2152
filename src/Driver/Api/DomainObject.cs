using Kvm.Driver.Domains;
using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// org.libvirt.Domain for every path below /org/libvirt/QEMU/domain. As libvirt-dbus does, each call first finds
/// the domain from its path (so an unknown domain fails with the lookup's error whatever the member), then
/// performs the operation; members kvmd does not implement answer libvirt's "not supported" error.
/// </summary>
internal sealed class DomainObject : ILibvirtObject
{
    // virDomainShutdownFlagValues / virDomainRebootFlagValues: the ACPI power button is what kvmd does anyway.
    private const uint AcpiPowerButton = 1;

    // virDomainModificationImpact and VIR_DOMAIN_VCPU_MAXIMUM, the flags GetVcpus honours.
    private const uint AffectLive = 1, AffectConfig = 2, VcpuMaximum = 4;

    private readonly IDomainManager _manager;
    private readonly CancellationToken _stopping;
    private readonly Snapshots.SnapshotManager? _snapshots;

    /// <param name="snapshots">The driver core's snapshots; without them the snapshot methods answer "not supported".</param>
    public DomainObject(IDomainManager manager, CancellationToken stopping, Snapshots.SnapshotManager? snapshots = null)
    {
        _manager = manager;
        _stopping = stopping;
        _snapshots = snapshots;
    }

    public LibvirtInterface Interface => LibvirtInterface.Domain;

    public VariantValue GetProperty(string path, string name) => Property(Resolve(path), name);

    public IEnumerable<KeyValuePair<string, VariantValue>> GetAllProperties(string path)
    {
        if (!TryDecode(path, out Guid uuid) || !_manager.TryGet(uuid, out DomainInfo domain))
        {
            return []; // libvirt-dbus answers GetAll of a vanished domain with no properties, not an error
        }
        return Interface.Description.Properties.Select(p => new KeyValuePair<string, VariantValue>(p.Name, Property(domain, p.Name))).ToArray();
    }

    public void SetProperty(string path, string name, ref Reader value)
    {
        DomainInfo domain = Resolve(path);
        switch (name)
        {
            case "Autostart":
                _manager.SetAutostart(domain.Uuid, value.ReadBool());
                break;
            default:
                throw new InvalidOperationException($"{Interface.Name}.{name} is not writable");
        }
    }

    public async ValueTask CallAsync(MethodContext context, LibvirtCall call)
    {
        DomainInfo domain = Resolve(call.Path);
        Guid uuid = domain.Uuid;
        Reader args = context.Request.GetBodyReader();
        switch ((call.Member, call.Signature))
        {
            case ("Create", "u"):
            {
                uint flags = args.ReadUInt32();
                LibvirtErrors.CheckFlags(flags, LibvirtErrors.StartPaused, "qemuDomainCreateWithFlags");
                await _manager.StartAsync(uuid, (flags & LibvirtErrors.StartPaused) != 0, _stopping).ConfigureAwait(false);
                break;
            }
            case ("Destroy", "u"):
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "qemuDomainDestroyFlags");
                await _manager.DestroyAsync(uuid, _stopping).ConfigureAwait(false);
                break;
            case ("Shutdown", "u"):
                LibvirtErrors.CheckFlags(args.ReadUInt32(), AcpiPowerButton, "qemuDomainShutdownFlags");
                await _manager.ShutdownAsync(uuid, _stopping).ConfigureAwait(false);
                break;
            case ("Reboot", "u"):
                LibvirtErrors.CheckFlags(args.ReadUInt32(), AcpiPowerButton, "qemuDomainReboot");
                await _manager.RebootAsync(uuid, _stopping).ConfigureAwait(false);
                break;
            case ("Reset", "u"):
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "qemuDomainReset");
                await _manager.ResetAsync(uuid, _stopping).ConfigureAwait(false);
                break;
            case ("Suspend", ""):
                await _manager.SuspendAsync(uuid, _stopping).ConfigureAwait(false);
                break;
            case ("Resume", ""):
                await _manager.ResumeAsync(uuid, _stopping).ConfigureAwait(false);
                break;
            case ("Undefine", "u"):
                _manager.Undefine(uuid, args.ReadUInt32());
                break;
            case ("GetXMLDesc", "u"):
            {
                uint flags = args.ReadUInt32();
                LibvirtErrors.CheckFlags(flags, (uint)(DomainXmlFlags.Secure | DomainXmlFlags.Inactive | DomainXmlFlags.UpdateCpu | DomainXmlFlags.Migratable),
                    "qemuDomainGetXMLDesc");
                Replies.String(context, _manager.GetXmlDesc(uuid, (DomainXmlFlags)flags));
                return;
            }
            case ("GetState", "u"):
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "qemuDomainGetState");
                Replies.Int32Pair(context, (int)domain.State, domain.Reason);
                return;
            case ("GetStats", "uu"):
            {
                DomainStatsGroups groups = DomainStats.Validate(args.ReadUInt32(), args.ReadUInt32(), "qemuConnectGetAllDomainStats");
                IReadOnlyList<DomainVcpuInfo>? vcpus = await DomainStats.GetVcpusAsync(_manager, domain, groups, _stopping).ConfigureAwait(false);
                IReadOnlyList<DomainBlockStats>? disks = await DomainStats.GetDisksAsync(_manager, domain, groups, _stopping).ConfigureAwait(false);
                IReadOnlyList<DomainInterfaceStats>? nets = DomainStats.GetInterfaces(_manager, domain, groups);
                IReadOnlyList<DomainMemoryStat>? memory = await DomainStats.GetMemoryAsync(_manager, domain, groups, _stopping).ConfigureAwait(false);
                Replies.TypedParameters(context, DomainStats.Collect(domain, groups, vcpus, disks, nets, memory));
                return;
            }
            case ("InterfaceAddresses", "uu"):
                Replies.InterfaceAddresses(context, _manager.GetInterfaceAddresses(uuid, args.ReadUInt32(), args.ReadUInt32()));
                return;
            case ("BlockResize", "stu"):
            {
                (string disk, ulong size, uint flags) = (args.ReadString(), args.ReadUInt64(), args.ReadUInt32());
                await _manager.BlockResizeAsync(uuid, disk, size, flags, _stopping).ConfigureAwait(false);
                break;
            }
            case ("GetDiskErrors", "u"):
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "qemuDomainGetDiskErrors");
                Replies.DiskErrors(context, await _manager.GetDiskErrorsAsync(uuid, _stopping).ConfigureAwait(false));
                return;
            case ("GetVcpus", "u"):
                Replies.UInt32(context, await GetVcpusAsync(domain, args.ReadUInt32()).ConfigureAwait(false));
                return;
            case ("GetControlInfo", "u"):
            {
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "qemuDomainGetControlInfo");
                DomainControlInfo control = _manager.GetControlInfo(uuid);
                Replies.ControlInfo(context, control.State, control.Details, control.StateTimeMs);
                return;
            }
            case ("GetMetadata", "isu"):
            {
                (int type, string uri, uint flags) = (args.ReadInt32(), args.ReadString(), args.ReadUInt32());
                Replies.String(context, _manager.GetMetadata(uuid, type, NullIfEmpty(uri), flags));
                return;
            }
            case ("SetMetadata", "isssu"):
            {
                (int type, string metadata, string key, string uri, uint flags) =
                    (args.ReadInt32(), args.ReadString(), args.ReadString(), args.ReadString(), args.ReadUInt32());
                _manager.SetMetadata(uuid, type, metadata, NullIfEmpty(key), NullIfEmpty(uri), flags);
                break;
            }
            case ("MemoryStats", "u"):
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "qemuDomainMemoryStats");
                Replies.MemoryStats(context, await _manager.GetMemoryStatsAsync(uuid, _stopping).ConfigureAwait(false));
                return;
            case ("SetMemory", "tu"):
            {
                (ulong kib, uint flags) = (args.ReadUInt64(), args.ReadUInt32());
                // Live only for now: the stored configuration and the maximum (CONFIG, MEM_MAXIMUM) are not changed here.
                LibvirtErrors.CheckFlags(flags, AffectLive, "qemuDomainSetMemoryFlags");
                await _manager.SetMemoryAsync(uuid, kib, _stopping).ConfigureAwait(false);
                break;
            }
            case ("SetMemoryStatsPeriod", "iu"):
            {
                int period = args.ReadInt32();
                LibvirtErrors.CheckFlags(args.ReadUInt32(), AffectLive, "qemuDomainSetMemoryStatsPeriod");
                await _manager.SetMemoryStatsPeriodAsync(uuid, period, _stopping).ConfigureAwait(false);
                break;
            }
            case ("AttachDevice", "su"):
            {
                (string xml, uint flags) = (args.ReadString(), args.ReadUInt32());
                LibvirtErrors.CheckFlags(flags, AffectLive | AffectConfig, "qemuDomainAttachDeviceFlags");
                _manager.AttachDevice(uuid, xml, flags);
                break;
            }
            case ("DetachDevice", "su"):
            {
                (string xml, uint flags) = (args.ReadString(), args.ReadUInt32());
                LibvirtErrors.CheckFlags(flags, AffectLive | AffectConfig, "qemuDomainDetachDeviceFlags");
                _manager.DetachDevice(uuid, xml, flags);
                break;
            }
            case ("Rename", "su"):
            {
                string name = args.ReadString();
                LibvirtErrors.CheckFlags(args.ReadUInt32(), 0, "qemuDomainRename");
                _manager.Rename(uuid, name);
                break;
            }
            default:
                if (_snapshots is not null && DomainSnapshotCalls.TryCall(_snapshots, uuid, context, call, ref args))
                {
                    return;
                }
                throw LibvirtErrors.NotSupported(Interface.ApiName(call.Member));
        }
        Replies.Empty(context);
    }

    /// <summary>virDomainGetVcpusFlags: the current count, or (MAXIMUM) the most the definition allows; LIVE asks the running VM.</summary>
    private async ValueTask<uint> GetVcpusAsync(DomainInfo domain, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, AffectLive | AffectConfig | VcpuMaximum, "qemuDomainGetVcpusFlags");
        if ((flags & (AffectLive | AffectConfig)) == (AffectLive | AffectConfig))
        {
            throw new DomainOperationException(VirErrorCode.InvalidArg,
                "invalid argument: Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
        }
        if ((flags & AffectLive) != 0 && (flags & VcpuMaximum) == 0)
        {
            return (uint)(await _manager.GetVcpusAsync(domain.Uuid, _stopping).ConfigureAwait(false)).Count;
        }
        return domain.Vcpus;
    }

    private static VariantValue Property(DomainInfo domain, string name) => name switch
    {
        "Active" => VariantValue.Bool(domain.Active),
        "Autostart" => VariantValue.Bool(domain.Autostart),
        "Id" => VariantValue.UInt32(domain.Active ? (uint)domain.Id : 0), // libvirt-dbus turns an inactive domain's -1 into 0
        "Name" => VariantValue.String(domain.Name),
        "OSType" => VariantValue.String(domain.OsType),
        "Persistent" => VariantValue.Bool(domain.Persistent),
        // libvirt's QEMU driver says "posix"; kvmd has no scheduler parameters (GetSchedulerParameters is not supported): 0 of them.
        "SchedulerType" => VariantValue.Struct(VariantValue.String("posix"), VariantValue.Int32(0)),
        "Updated" => VariantValue.Bool(domain.Updated),
        "UUID" => VariantValue.String(LibvirtUuid.Format(domain.Uuid)),
        _ => throw new ArgumentException($"No property {name} in org.libvirt.Domain", nameof(name)),
    };

    private DomainInfo Resolve(string path) =>
        TryDecode(path, out Guid uuid) ? _manager.LookupByUuid(uuid) : throw LibvirtErrors.InvalidUuid();

    private static bool TryDecode(string path, out Guid uuid)
    {
        uuid = Guid.Empty;
        return LibvirtPaths.TryGetDomainNode(path, out string node) && LibvirtUuid.TryParse(LibvirtPaths.DecodeUuid(node), out uuid);
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
