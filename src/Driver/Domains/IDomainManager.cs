namespace Kvm.Driver.Domains;

/// <summary>
/// The driver core's one entry point for the front ends: definitions (state directory), lifecycle (the state machine)
/// and the running kvm-vmm children (QMP). Every D-Bus method of org.libvirt.Connect/Domain is a thin call into this,
/// as libvirt's RPC procedures will be; a front end translates and never decides what a domain may do.
/// Failures are <see cref="DomainOperationException"/>s with libvirt's code and message; nothing else escapes.
/// Thread-safe; events are raised outside any lock, in order per domain.
/// </summary>
public interface IDomainManager
{
    /// <summary>Hostname of the node (Connect.Hostname).</summary>
    string Hostname { get; }

    /// <summary>All domains, defined and transient, in a stable order (by name).</summary>
    IReadOnlyList<DomainInfo> List();

    /// <summary>Snapshot of one domain; false when it does not exist (any more).</summary>
    bool TryGet(Guid uuid, out DomainInfo info);

    /// <exception cref="DomainOperationException">NoDomain: "Domain not found: no domain with matching name 'x'".</exception>
    DomainInfo LookupByName(string name);

    /// <exception cref="DomainOperationException">NoDomain: "Domain not found: no domain with matching uuid 'u'".</exception>
    DomainInfo LookupByUuid(Guid uuid);

    /// <exception cref="DomainOperationException">NoDomain: "Domain not found: no domain with matching id 7".</exception>
    DomainInfo LookupById(int id);

    /// <summary>Define (or redefine) a persistent domain from XML; raises DEFINED/ADDED or DEFINED/UPDATED.</summary>
    DomainInfo Define(string xml);

    /// <summary>
    /// Create and start a transient domain; raises STARTED/BOOTED. <paramref name="paused"/>
    /// (VIR_DOMAIN_START_PAUSED): its vCPUs are not started, and SUSPENDED/PAUSED follows.
    /// </summary>
    ValueTask<DomainInfo> CreateTransientAsync(string xml, bool paused, CancellationToken cancellationToken);

    /// <summary>Start a defined domain; <paramref name="paused"/> as for <see cref="CreateTransientAsync"/>.</summary>
    ValueTask StartAsync(Guid uuid, bool paused, CancellationToken cancellationToken);

    /// <summary>Ask the guest to power off (ACPI power button through QMP system_powerdown).</summary>
    ValueTask ShutdownAsync(Guid uuid, CancellationToken cancellationToken);

    ValueTask DestroyAsync(Guid uuid, CancellationToken cancellationToken);

    ValueTask RebootAsync(Guid uuid, CancellationToken cancellationToken);

    ValueTask ResetAsync(Guid uuid, CancellationToken cancellationToken);

    ValueTask SuspendAsync(Guid uuid, CancellationToken cancellationToken);

    ValueTask ResumeAsync(Guid uuid, CancellationToken cancellationToken);

    /// <summary>Remove the definition; a running persistent domain becomes transient (libvirt's behaviour).</summary>
    void Undefine(Guid uuid, uint flags);

    string GetXmlDesc(Guid uuid, DomainXmlFlags flags);

    void SetAutostart(Guid uuid, bool autostart);

    /// <summary>Rename an inactive persistent domain (UNDEFINED/RENAMED then DEFINED/RENAMED).</summary>
    void Rename(Guid uuid, string newName);

    /// <summary>
    /// virDomainAttachDeviceFlags on the persistent definition: <paramref name="deviceXml"/> (one device element) is
    /// added to it; LIVE (or CURRENT on a running domain) is hotplug, refused as not supported.
    /// </summary>
    DomainInfo AttachDevice(Guid uuid, string deviceXml, uint flags);

    /// <summary>virDomainDetachDeviceFlags on the persistent definition: a disk found by its target, an interface by its MAC.</summary>
    DomainInfo DetachDevice(Guid uuid, string deviceXml, uint flags);

    /// <summary>virDomainGetMetadata: type 0 description, 1 title, 2 element (by namespace uri).</summary>
    string GetMetadata(Guid uuid, int type, string? uri, uint flags);

    void SetMetadata(Guid uuid, int type, string? metadata, string? key, string? uri, uint flags);

    ValueTask<IReadOnlyList<DomainVcpuInfo>> GetVcpusAsync(Guid uuid, CancellationToken cancellationToken);

    /// <summary>virDomainGetControlInfo of a running domain.</summary>
    /// <exception cref="DomainOperationException">OperationInvalid: "domain is not running".</exception>
    DomainControlInfo GetControlInfo(Guid uuid);

    /// <summary>The domain's disks: names and sources, and the VMM's counters and sizes while it runs.</summary>
    ValueTask<IReadOnlyList<DomainBlockStats>> GetBlockStatsAsync(Guid uuid, CancellationToken cancellationToken);

    /// <summary>virDomainGetDiskErrors of a running domain: the disks in error and the error (1 unspecified, 2 no space).</summary>
    ValueTask<IReadOnlyList<(string Disk, int Error)>> GetDiskErrorsAsync(Guid uuid, CancellationToken cancellationToken);

    /// <summary>virDomainBlockResize of a running domain's disk (by target or source path).</summary>
    ValueTask BlockResizeAsync(Guid uuid, string disk, ulong size, uint flags, CancellationToken cancellationToken);

    /// <summary>virDomainInterfaceStats of a running domain: the interface by host device name or MAC, as the guest sees it.</summary>
    /// <exception cref="DomainOperationException">OperationInvalid "domain is not running"; InvalidArg "'x' is not a known interface".</exception>
    InterfaceCounters GetInterfaceStats(Guid uuid, string device);

    /// <summary>The net.* statistics group: a running domain's interfaces that have a host device; empty when inactive.</summary>
    IReadOnlyList<DomainInterfaceStats> GetAllInterfaceStats(Guid uuid);

    /// <summary>virDomainInterfaceAddresses of a running domain from source 0 LEASE, 1 AGENT (not configured) or 2 ARP.</summary>
    IReadOnlyList<DomainInterfaceAddresses> GetInterfaceAddresses(Guid uuid, uint source, uint flags);

    /// <summary>virDomainMemoryStats of a running domain: the balloon's actual size and the guest's figures, and the VMM's RSS.</summary>
    ValueTask<IReadOnlyList<DomainMemoryStat>> GetMemoryStatsAsync(Guid uuid, CancellationToken cancellationToken);

    /// <summary>virDomainSetMemory of a running domain (KiB), through its balloon.</summary>
    ValueTask SetMemoryAsync(Guid uuid, ulong kib, CancellationToken cancellationToken);

    /// <summary>virDomainSetMemoryStatsPeriod of a running domain (seconds, 0 stops), through its balloon.</summary>
    ValueTask SetMemoryStatsPeriodAsync(Guid uuid, int period, CancellationToken cancellationToken);

    /// <summary>
    /// The pty of a running domain's console (virDomainOpenConsole's choice): <paramref name="devName"/> by alias
    /// (console0, serial0, parallel0), or null for the first console, else the first serial.
    /// </summary>
    /// <exception cref="DomainOperationException">OperationInvalid "domain is not running"; InternalError "cannot find character device x" or "character device x is not using a PTY".</exception>
    string GetConsolePty(Guid uuid, string? devName);

    /// <summary>Lifecycle events, in order per domain.</summary>
    event Action<DomainLifecycleEvent>? LifecycleEvent;

    /// <summary>The guest rebooted (libvirt's REBOOT event; the Domain Reboot signal).</summary>
    event Action<Guid>? Rebooted;
}
