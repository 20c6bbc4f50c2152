using System.Xml.Linq;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Tests.Api;

/// <summary>
/// An in-memory IDomainManager for the API layer's tests, following libvirt's state rules and messages for what
/// the tests assert (QEMU driver texts): start only when inactive, stop/suspend/reboot only when active, undefine
/// of a running domain makes it transient, a transient domain vanishes when it stops, rename only when inactive.
/// A shutdown completes at once (as libvirt's test driver does). Seeded like test:///default: one running domain
/// "test" (uuid 6695eb01-f6a4-8304-79aa-97f2502e193f, id 1, 2 vCPUs, 8 GiB max / 2 GiB current).
/// </summary>
internal sealed class FakeDomainManager : IDomainManager
{
    public static readonly Guid TestUuid = Guid.Parse("6695eb01-f6a4-8304-79aa-97f2502e193f");
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Entry> _domains = [];
    private int _nextId = 1;

    public FakeDomainManager(bool seed = true)
    {
        if (seed)
        {
            Define($"<domain type='kvm'><name>test</name><uuid>{TestUuid}</uuid><memory unit='KiB'>8388608</memory>"
                + "<currentMemory unit='KiB'>2097152</currentMemory><vcpu>2</vcpu><os><type arch='x86_64'>hvm</type></os></domain>");
            StartAsync(TestUuid, false, default).AsTask().GetAwaiter().GetResult();
        }
    }

    public event Action<DomainLifecycleEvent>? LifecycleEvent;

    public event Action<Guid>? Rebooted;

    public string Hostname => "kvmd-test-host";

    public IReadOnlyList<DomainInfo> List()
    {
        lock (_gate)
        {
            return _domains.Values.Select(e => e.Info).OrderBy(d => d.Name, StringComparer.Ordinal).ToArray();
        }
    }

    public bool TryGet(Guid uuid, out DomainInfo info)
    {
        lock (_gate)
        {
            bool found = _domains.TryGetValue(uuid, out Entry? entry);
            info = entry?.Info!;
            return found;
        }
    }

    public DomainInfo LookupByName(string name) =>
        List().FirstOrDefault(d => d.Name == name) ?? throw NotFound($"no domain with matching name '{name}'");

    public DomainInfo LookupByUuid(Guid uuid) => TryGet(uuid, out DomainInfo info) ? info : throw NotFound($"no domain with matching uuid '{uuid}'");

    public DomainInfo LookupById(int id) => List().FirstOrDefault(d => d.Id == id && id >= 0) ?? throw NotFound($"no domain with matching id {id}");

    public DomainInfo Define(string xml) => Define(xml, persistent: true, out _);

    public async ValueTask<DomainInfo> CreateTransientAsync(string xml, bool paused, CancellationToken cancellationToken)
    {
        DomainInfo defined = Define(xml, persistent: false, out _);
        await StartAsync(defined.Uuid, paused, cancellationToken);
        return LookupByUuid(defined.Uuid);
    }

    public ValueTask StartAsync(Guid uuid, bool paused, CancellationToken cancellationToken) =>
        Change(uuid, e => !e.Active ? null : Invalid("domain is already running"), e =>
        {
            e.Id = _nextId++;
            e.SetState(paused ? DomainState.Paused : DomainState.Running, paused ? DomainStateReason.PausedUser : DomainStateReason.RunningBooted);
            return (DomainEventType.Started, DomainEventDetail.StartedBooted);
        });

    public ValueTask ShutdownAsync(Guid uuid, CancellationToken cancellationToken) => Stop(uuid, DomainStateReason.ShutoffShutdown, DomainEventDetail.StoppedShutdown);

    public ValueTask DestroyAsync(Guid uuid, CancellationToken cancellationToken) => Stop(uuid, DomainStateReason.ShutoffDestroyed, DomainEventDetail.StoppedDestroyed);

    public ValueTask RebootAsync(Guid uuid, CancellationToken cancellationToken)
    {
        RequireActive(uuid);
        Rebooted?.Invoke(uuid);
        return ValueTask.CompletedTask;
    }

    public ValueTask ResetAsync(Guid uuid, CancellationToken cancellationToken)
    {
        RequireActive(uuid);
        return ValueTask.CompletedTask;
    }

    /// <summary>When set, Suspend waits for it first: a slow VMM command, for the tests of what runs beside it.</summary>
    public Task? SuspendHold { get; set; }

    public async ValueTask SuspendAsync(Guid uuid, CancellationToken cancellationToken)
    {
        if (SuspendHold is { } hold)
        {
            await hold.WaitAsync(cancellationToken);
        }
        await Change(uuid, e => e.Active ? null : NotRunning(), e =>
        {
            if (e.State == DomainState.Paused)
            {
                return null;
            }
            e.SetState(DomainState.Paused, DomainStateReason.PausedUser);
            return (DomainEventType.Suspended, DomainEventDetail.SuspendedPaused);
        });
    }

    public ValueTask ResumeAsync(Guid uuid, CancellationToken cancellationToken) =>
        Change(uuid, e => e.Active ? null : NotRunning(), e =>
        {
            if (e.State != DomainState.Paused)
            {
                return null;
            }
            e.SetState(DomainState.Running, DomainStateReason.RunningUnpaused);
            return (DomainEventType.Resumed, DomainEventDetail.ResumedUnpaused);
        });

    public void Undefine(Guid uuid, uint flags) =>
        Change(uuid, e => e.Persistent ? null : Invalid("cannot undefine transient domain"), e =>
        {
            e.Persistent = false;
            e.Autostart = false;
            if (!e.Active)
            {
                _domains.Remove(e.Uuid);
            }
            return (DomainEventType.Undefined, DomainEventDetail.UndefinedRemoved);
        }).AsTask().GetAwaiter().GetResult();

    public string GetXmlDesc(Guid uuid, DomainXmlFlags flags)
    {
        lock (_gate)
        {
            Entry e = Find(uuid);
            var xml = new XElement(e.Xml);
            xml.Element("name")!.Value = e.Name;
            if (e.Active && (flags & DomainXmlFlags.Inactive) == 0)
            {
                xml.SetAttributeValue("id", e.Id);
            }
            return xml + "\n";
        }
    }

    public void SetAutostart(Guid uuid, bool autostart)
    {
        lock (_gate)
        {
            Entry e = Find(uuid);
            e.Autostart = e.Persistent ? autostart : throw Invalid("cannot set autostart for transient domain");
        }
    }

    public void Rename(Guid uuid, string newName)
    {
        lock (_gate)
        {
            Entry e = Find(uuid);
            if (e.Active)
            {
                throw Invalid("cannot rename active domain");
            }
            if (_domains.Values.Any(d => d.Name == newName))
            {
                throw new DomainOperationException(VirErrorCode.OperationInvalid, $"Requested operation is not valid: domain with name '{newName}' already exists");
            }
            e.Name = newName;
        }
        Raise(uuid, DomainEventType.Undefined, DomainEventDetail.UndefinedRenamed);
        Raise(uuid, DomainEventType.Defined, DomainEventDetail.DefinedRenamed);
    }

    public string GetMetadata(Guid uuid, int type, string? uri, uint flags)
    {
        lock (_gate)
        {
            return Find(uuid).Metadata.TryGetValue(type, out string? value)
                ? value
                : throw new DomainOperationException(VirErrorCode.InvalidArg, "metadata not found: Requested metadata element is not present");
        }
    }

    // Devices are the real driver core's business (DomainDefinitions); the fake's API tests do not reach them.
    public DomainInfo AttachDevice(Guid uuid, string deviceXml, uint flags) =>
        throw new DomainOperationException(VirErrorCode.NoSupport, "this function is not supported by the connection driver: virDomainAttachDeviceFlags");

    public DomainInfo DetachDevice(Guid uuid, string deviceXml, uint flags) =>
        throw new DomainOperationException(VirErrorCode.NoSupport, "this function is not supported by the connection driver: virDomainDetachDeviceFlags");

    public void SetMetadata(Guid uuid, int type, string? metadata, string? key, string? uri, uint flags)
    {
        lock (_gate)
        {
            Entry e = Find(uuid);
            if (string.IsNullOrEmpty(metadata))
            {
                e.Metadata.Remove(type);
            }
            else
            {
                e.Metadata[type] = metadata;
            }
        }
    }

    /// <summary>Disks the fake reports for every domain: one virtio disk with counters while it runs.</summary>
    public ValueTask<IReadOnlyList<DomainBlockStats>> GetBlockStatsAsync(Guid uuid, CancellationToken cancellationToken)
    {
        DomainInfo info = LookupByUuid(uuid);
        var disk = new DomainBlockStats("vda", "/var/lib/images/disk.qcow2");
        if (info.Active)
        {
            disk = disk with
            {
                HasCounters = true, ReadRequests = 10, ReadBytes = 40960, ReadTimeNs = 1000, WriteRequests = 5, WriteBytes = 20480,
                WriteTimeNs = 2000, FlushRequests = 2, FlushTimeNs = 300, Allocation = 65536, Capacity = 1 << 30, Physical = 196608,
            };
        }

        return ValueTask.FromResult<IReadOnlyList<DomainBlockStats>>([disk]);
    }

    public ValueTask<IReadOnlyList<(string Disk, int Error)>> GetDiskErrorsAsync(Guid uuid, CancellationToken cancellationToken)
    {
        RequireActive(uuid);
        return ValueTask.FromResult<IReadOnlyList<(string, int)>>([]);
    }

    public ValueTask BlockResizeAsync(Guid uuid, string disk, ulong size, uint flags, CancellationToken cancellationToken)
    {
        RequireActive(uuid);
        if (disk != "vda")
        {
            throw new DomainOperationException(VirErrorCode.InvalidArg, $"invalid argument: disk '{disk}' was not found in the domain config");
        }

        ResizedTo = (flags & 1) != 0 ? size : size * 1024;
        return ValueTask.CompletedTask;
    }

    /// <summary>The size in bytes of the last BlockResize.</summary>
    public ulong? ResizedTo { get; private set; }

    public InterfaceCounters GetInterfaceStats(Guid uuid, string device)
    {
        RequireActive(uuid);
        throw new DomainOperationException(VirErrorCode.InvalidArg, $"invalid argument: '{device}' is not a known interface");
    }

    public IReadOnlyList<DomainInterfaceStats> GetAllInterfaceStats(Guid uuid) => [];

    /// <summary>What GetMemoryStatsAsync answers for a running domain.</summary>
    public IReadOnlyList<DomainMemoryStat> MemoryStats { get; set; } = [];

    public ValueTask<IReadOnlyList<DomainMemoryStat>> GetMemoryStatsAsync(Guid uuid, CancellationToken cancellationToken)
    {
        RequireActive(uuid);
        return ValueTask.FromResult(MemoryStats);
    }

    /// <summary>The last live memory target SetMemoryAsync was given (KiB).</summary>
    public ulong? MemoryTarget { get; private set; }

    public ValueTask SetMemoryAsync(Guid uuid, ulong kib, CancellationToken cancellationToken)
    {
        RequireActive(uuid);
        MemoryTarget = kib;
        return ValueTask.CompletedTask;
    }

    public ValueTask SetMemoryStatsPeriodAsync(Guid uuid, int period, CancellationToken cancellationToken)
    {
        RequireActive(uuid);
        return ValueTask.CompletedTask;
    }

    /// <summary>What GetInterfaceAddresses answers for a running domain, whatever the source.</summary>
    public IReadOnlyList<DomainInterfaceAddresses> InterfaceAddresses { get; set; } = [];

    public IReadOnlyList<DomainInterfaceAddresses> GetInterfaceAddresses(Guid uuid, uint source, uint flags)
    {
        RequireActive(uuid);
        return InterfaceAddresses;
    }

    /// <summary>The console pty every running domain has (a test's own pty), or null: none has one.</summary>
    public string? ConsolePty { get; set; }

    public string GetConsolePty(Guid uuid, string? devName)
    {
        RequireActive(uuid);
        return devName is null or "serial0" && ConsolePty is { } pty ? pty
            : throw new DomainOperationException(VirErrorCode.InternalError, $"internal error: cannot find character device {devName ?? "<null>"}");
    }

    public DomainControlInfo GetControlInfo(Guid uuid)
    {
        RequireActive(uuid);
        return DomainControlInfo.Ok;
    }

    public ValueTask<IReadOnlyList<DomainVcpuInfo>> GetVcpusAsync(Guid uuid, CancellationToken cancellationToken)
    {
        DomainInfo info = RequireActive(uuid);
        IReadOnlyList<DomainVcpuInfo> vcpus = Enumerable.Range(0, (int)info.Vcpus).Select(n => new DomainVcpuInfo((uint)n, 1, 1_000_000UL * (ulong)(n + 1), n)).ToArray();
        return ValueTask.FromResult(vcpus);
    }

    private DomainInfo Define(string xml, bool persistent, out bool updated)
    {
        XElement root;
        try
        {
            root = XElement.Parse(xml);
        }
        catch (System.Xml.XmlException e)
        {
            throw new DomainOperationException(VirErrorCode.XmlError, $"XML error: {e.Message}");
        }
        string name = root.Element("name")?.Value ?? throw new DomainOperationException(VirErrorCode.XmlError, "XML error: missing domain name information");
        Guid uuid = Guid.TryParse(root.Element("uuid")?.Value, out Guid given) ? given : Guid.NewGuid();
        root.SetElementValue("uuid", uuid.ToString());
        lock (_gate)
        {
            if (_domains.Values.FirstOrDefault(d => d.Name == name && d.Uuid != uuid) is { } clash)
            {
                throw new DomainOperationException(VirErrorCode.OperationFailed, $"operation failed: domain '{name}' already exists with uuid {clash.Uuid}");
            }
            updated = _domains.TryGetValue(uuid, out Entry? entry);
            entry ??= new Entry(uuid) { Name = name };
            entry.Xml = root;
            entry.Persistent |= persistent;
            _domains[uuid] = entry;
        }
        if (persistent)
        {
            Raise(uuid, DomainEventType.Defined, updated ? DomainEventDetail.DefinedUpdated : DomainEventDetail.DefinedAdded);
        }
        return LookupByUuid(uuid);
    }

    private ValueTask Stop(Guid uuid, int reason, int detail) =>
        Change(uuid, e => e.Active ? null : NotRunning(), e =>
        {
            e.Id = -1;
            e.SetState(DomainState.Shutoff, reason);
            if (!e.Persistent)
            {
                _domains.Remove(e.Uuid);
            }
            return (DomainEventType.Stopped, detail);
        });

    /// <summary>Checks, changes and raises the event outside the lock, as the real manager promises.</summary>
    private ValueTask Change(Guid uuid, Func<Entry, DomainOperationException?> check, Func<Entry, (DomainEventType, int)?> change)
    {
        (DomainEventType, int)? raised;
        lock (_gate)
        {
            Entry e = Find(uuid);
            if (check(e) is { } error)
            {
                throw error;
            }
            raised = change(e);
        }
        if (raised is (DomainEventType type, int detail))
        {
            Raise(uuid, type, detail);
        }
        return ValueTask.CompletedTask;
    }

    private DomainInfo RequireActive(Guid uuid)
    {
        DomainInfo info = LookupByUuid(uuid);
        return info.Active ? info : throw NotRunning();
    }

    private void Raise(Guid uuid, DomainEventType type, int detail) => LifecycleEvent?.Invoke(new DomainLifecycleEvent(uuid, type, detail));

    private Entry Find(Guid uuid) => _domains.TryGetValue(uuid, out Entry? e) ? e : throw NotFound($"no domain with matching uuid '{uuid}'");

    private static DomainOperationException NotFound(string what) => new(VirErrorCode.NoDomain, "Domain not found: " + what);

    private static DomainOperationException NotRunning() => Invalid("domain is not running");

    private static DomainOperationException Invalid(string what) => new(VirErrorCode.OperationInvalid, "Requested operation is not valid: " + what);

    private sealed class Entry(Guid uuid)
    {
        public Guid Uuid { get; } = uuid;
        public string Name { get; set; } = "";
        public XElement Xml { get; set; } = new("domain");
        public int Id { get; set; } = -1;
        public bool Persistent { get; set; }
        public bool Autostart { get; set; }
        public DomainState State { get; private set; } = DomainState.Shutoff;
        public int Reason { get; private set; } = DomainStateReason.Unknown;
        public Dictionary<int, string> Metadata { get; } = [];
        public bool Active => Id >= 0;

        public void SetState(DomainState state, int reason) => (State, Reason) = (state, reason);

        public DomainInfo Info => new(Uuid, Name, Id, Persistent, Autostart, Updated: false, State, Reason, "hvm",
            KiB("memory") ?? 1024, KiB("currentMemory") ?? KiB("memory") ?? 1024, (uint?)(int?)Xml.Element("vcpu") ?? 1, Active ? 5_000_000UL : 0);

        private ulong? KiB(string element) => (ulong?)Xml.Element(element);
    }
}
