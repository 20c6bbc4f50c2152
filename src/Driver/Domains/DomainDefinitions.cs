using System.Xml.Linq;
using Kvm.DomainXml;
using Kvm.DomainXml.Errors;
using Kvm.Driver.Runtime;
using Kvm.Driver.Storage;
using NLog;

namespace Kvm.Driver.Domains;

/// <summary>
/// The definitions store of the driver core: the state directory (<see cref="DomainStore"/>), persistent and transient
/// definitions in the <see cref="DomainTable"/>, autostart, rename and metadata edits, with libvirt's rules and events
/// (DEFINED, UNDEFINED). Writes to the state directory are serialised by one lock, so what is on disk and what the
/// table says change together.
/// </summary>
internal sealed partial class DomainDefinitions
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly DomainTable _table;
    private readonly DomainEvents _events;
    private readonly RuntimeDirectory _runtime;
    private readonly Lock _storeLock = new();
    private readonly string _emulator;
    private readonly DomainFirmware? _firmware;

    public DomainDefinitions(DomainStore store, DomainTable table, DomainEvents events, RuntimeDirectory runtime, string? emulator = null,
        DomainFirmware? firmware = null)
    {
        _firmware = firmware;
        Store = store;
        _emulator = emulator ?? DomainManagerOptions.DefaultVmmPath();
        _table = table;
        _events = events;
        _runtime = runtime;
    }

    public DomainStore Store { get; }

    /// <summary>
    /// Loads every definition of the state directory into the table, with the default machine where an older kvmd
    /// stored none; one that clashes with another is logged and skipped.
    /// </summary>
    public void Load()
    {
        Store.EnsureDirectory();
        foreach (var stored in Store.LoadAll())
        {
            DomainDocument document = DomainDefineDefaults.WithMachine(stored.Document);
            var def = document.Definition;
            lock (_table.Gate)
            {
                if (_table.TryFindLocked(def.Uuid, out var other) || _table.TryFindByNameLocked(def.Name, out other))
                {
                    s_log.Error("Ignoring the definition of {Domain} ({Uuid}): it clashes with {Other} ({OtherUuid})", def.Name, def.Uuid, other.Name, other.Uuid);
                    continue;
                }

                _table.AddLocked(new DomainEntry(def.Uuid, def.Name) { Persistent = document, Autostart = stored.Autostart });
            }
        }
    }

    /// <summary>The inactive domains marked autostart, by name.</summary>
    public IReadOnlyList<(Guid Uuid, string Name)> InactiveAutostart()
    {
        lock (_table.Gate)
        {
            return _table.EntriesLocked.Where(e => e.Autostart && !e.Active).OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => (e.Uuid, e.Name)).ToArray();
        }
    }

    /// <summary>What snapshots say about undefine (null: no domain has any); set once at start-up.</summary>
    public IDomainSnapshotGuard? SnapshotGuard { get; set; }

    /// <param name="updatedDetail">The DEFINED event's detail when the domain was already defined (UPDATED, or FROM_SNAPSHOT for a revert).</param>
    public DomainInfo Define(string xml, int updatedDetail = DomainEventDetail.DefinedUpdated)
    {
        ArgumentNullException.ThrowIfNull(xml);
        DomainDocument document = ParseNewDefinition(xml);
        var def = document.Definition;
        string text = Format(document, DomainFormatFlags.Secure | DomainFormatFlags.Inactive);
        DomainEntry entry;
        lock (_storeLock)
        {
            lock (_table.Gate)
            {
                _table.CheckIdentityLocked(def.Name, def.Uuid);
            }

            Store.Save(def.Name, text);
            lock (_table.Gate)
            {
                int detail = DomainEventDetail.DefinedAdded;
                if (_table.TryFindLocked(def.Uuid, out DomainEntry existing))
                {
                    entry = existing;
                    detail = entry.Persistent is null ? DomainEventDetail.DefinedAdded : updatedDetail;
                    entry.Updated = entry.Active;
                }
                else
                {
                    entry = new DomainEntry(def.Uuid, def.Name);
                    _table.AddLocked(entry);
                }

                entry.Persistent = document;
                _events.Raise(entry.Uuid, DomainEventType.Defined, detail);
            }
        }

        s_log.Info("Defined domain {Domain} ({Uuid})", def.Name, def.Uuid);
        return _table.Snapshot(entry) ?? throw DomainErrors.NoDomainByUuid(def.Uuid);
    }

    /// <summary>
    /// Admits a domain about to be started from new XML (virDomainCreateXML): a new transient <paramref name="entry"/>
    /// joins the table, or <paramref name="existing"/>, a defined inactive domain, runs with that XML. Under the store's
    /// lock and the gate, so no define of the same domain slips in; <paramref name="beginLocked"/> runs under the gate.
    /// </summary>
    public T AdmitForCreate<T>(DomainDocument document, DomainEntry entry, DomainEntry? existing, Func<DomainEntry, T> beginLocked)
    {
        var def = document.Definition;
        lock (_storeLock)
        {
            lock (_table.Gate)
            {
                _table.CheckIdentityLocked(def.Name, def.Uuid);
                if (existing is not null)
                {
                    // Starting a defined, inactive domain from new XML: it runs with that XML and stays persistent.
                    if (existing.Removed)
                    {
                        throw DomainErrors.NoDomainByUuid(def.Uuid);
                    }

                    DomainStateMachine.Decide(DomainOperation.CreateOver, existing.State, existing.Reason, existing.Persistent is not null, existing.Name).ThrowIfRefused();
                }
                else if (_table.TryFindLocked(def.Uuid, out DomainEntry racing))
                {
                    // Another CreateXML or Define of the same domain got in first.
                    DomainStateMachine.Decide(DomainOperation.CreateOver, racing.State, racing.Reason, racing.Persistent is not null, racing.Name).ThrowIfRefused();
                    throw DomainErrors.OperationFailed($"domain '{def.Name}' is already being defined");
                }
                else
                {
                    _table.AddLocked(entry);
                }

                return beginLocked(entry);
            }
        }
    }

    /// <summary>VIR_DOMAIN_UNDEFINE_NVRAM and VIR_DOMAIN_UNDEFINE_KEEP_NVRAM.</summary>
    private const uint UndefineNvram = 1 << 2, UndefineKeepNvram = 1 << 3;

    public void Undefine(Guid uuid, uint flags)
    {
        // qemuDomainUndefineFlags' virCheckFlags (libvirt 9.0): MANAGED_SAVE, SNAPSHOTS_METADATA, NVRAM, KEEP_NVRAM,
        // CHECKPOINTS_METADATA, KEEP_TPM, TPM; anything else is refused before the domain is touched.
        const uint Supported = 0x7f;
        if ((flags & ~Supported) != 0)
        {
            throw new DomainOperationException(VirErrorCode.InvalidArg, $"unsupported flags (0x{flags & ~Supported:x}) in function qemuDomainUndefineFlags");
        }
        if ((flags & UndefineNvram) != 0 && (flags & UndefineKeepNvram) != 0)
        {
            throw new DomainOperationException(VirErrorCode.OperationInvalid, "Requested operation is not valid: cannot both keep and delete nvram");
        }

        lock (_storeLock)
        {
            var entry = _table.Find(uuid);
            string name;
            string? nvram;
            bool active;
            lock (_table.Gate)
            {
                DomainStateMachine.Decide(DomainOperation.Undefine, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
                name = entry.Name;
                active = entry.Active;
                nvram = entry.Persistent is { } persistent ? _firmware?.NvramPath(persistent.Definition) : null;
            }

            // An inactive domain's snapshots: refused without SNAPSHOTS_METADATA, their metadata dropped with it (libvirt 9.0).
            if (!active)
            {
                SnapshotGuard?.BeforeUndefine(uuid, flags);
            }

            // A UEFI domain's variable store goes only when asked, and is never silently left behind (libvirt 9.0).
            if (nvram is not null && File.Exists(nvram))
            {
                if ((flags & UndefineNvram) != 0)
                {
                    DomainFirmware.RemoveStore(nvram);
                }
                else if ((flags & UndefineKeepNvram) == 0)
                {
                    throw new DomainOperationException(VirErrorCode.OperationInvalid, "Requested operation is not valid: cannot undefine domain with nvram");
                }
            }

            Store.Delete(name);
            lock (_table.Gate)
            {
                entry.Persistent = null;
                entry.Autostart = false;
                entry.Updated = false;
                _events.Raise(entry.Uuid, DomainEventType.Undefined, DomainEventDetail.UndefinedRemoved);
                if (!entry.Active)
                {
                    _table.RemoveLocked(entry);
                }
            }

            s_log.Info("Undefined domain {Domain} ({Uuid})", name, uuid);
        }
    }

    public void SetAutostart(Guid uuid, bool autostart)
    {
        lock (_storeLock)
        {
            var entry = _table.Find(uuid);
            string name;
            lock (_table.Gate)
            {
                DomainStateMachine.Decide(DomainOperation.SetAutostart, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
                name = entry.Name;
            }

            Store.SetAutostart(name, autostart);
            lock (_table.Gate)
            {
                entry.Autostart = autostart;
            }
        }
    }

    public void Rename(Guid uuid, string newName)
    {
        ArgumentNullException.ThrowIfNull(newName);
        if (newName.Length == 0)
        {
            throw DomainErrors.InvalidArg("new_name in virDomainRename must not be empty");
        }

        DomainNameRules.Check(newName);

        var entry = _table.Find(uuid);
        // The domain's job, so that no start begins while its name changes (a start holds it until the VMM runs).
        if (!entry.Job.Wait(0))
        {
            throw DomainErrors.Timeout("cannot acquire state change lock (held by another job)");
        }

        try
        {
            RenameHoldingJob(entry, newName);
        }
        finally
        {
            entry.Job.Release();
        }
    }

    public string GetXmlDesc(Guid uuid, DomainXmlFlags flags)
    {
        var entry = _table.Find(uuid);
        DomainDocument document;
        lock (_table.Gate)
        {
            if (entry.Removed)
            {
                throw DomainErrors.NoDomainByUuid(uuid);
            }

            document = (flags & DomainXmlFlags.Inactive) != 0 ? entry.Persistent ?? entry.Current : entry.Current;
        }

        var format = DomainFormatFlags.None;
        format |= (flags & DomainXmlFlags.Secure) != 0 ? DomainFormatFlags.Secure : 0;
        format |= (flags & DomainXmlFlags.Inactive) != 0 ? DomainFormatFlags.Inactive : 0;
        format |= (flags & DomainXmlFlags.Migratable) != 0 ? DomainFormatFlags.Migratable : 0;
        return Format(document, format);
    }

    private void RenameHoldingJob(DomainEntry entry, string newName)
    {
        lock (_storeLock)
        {
            string oldName;
            DomainDocument renamed;
            lock (_table.Gate)
            {
                DomainStateMachine.Decide(DomainOperation.Rename, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
                oldName = entry.Name;
                if (newName == oldName)
                {
                    throw DomainErrors.RenameToSelf();
                }

                if (_table.ContainsNameLocked(newName))
                {
                    throw DomainErrors.RenameTaken(newName);
                }

                renamed = DomainEdits.WithName(entry.Persistent!, newName);
            }

            Store.Save(newName, Format(renamed, DomainFormatFlags.Secure | DomainFormatFlags.Inactive));
            if (entry.Autostart)
            {
                Store.SetAutostart(newName, true);
            }

            Store.Delete(oldName);
            lock (_table.Gate)
            {
                _table.RenameLocked(entry, newName);
                entry.Persistent = renamed;
                _events.Raise(entry.Uuid, DomainEventType.Undefined, DomainEventDetail.UndefinedRenamed);
                _events.Raise(entry.Uuid, DomainEventType.Defined, DomainEventDetail.DefinedRenamed);
            }

            s_log.Info("Renamed domain {Domain} to {NewName}", oldName, newName);
        }
    }

    private static string Format(DomainDocument document, DomainFormatFlags flags = DomainFormatFlags.Secure) =>
        DomainXmlFormatter.Format(document, flags);
}
