using Kvm.Driver.Domains;
using Kvm.DomainXml.Devices;
using NLog;

namespace Kvm.Driver.Networks;

/// <summary>
/// The driver core's virtual networks, as libvirt's network driver (bridge_driver.c) keeps them: defined (persisted by
/// <see cref="NetworkStore"/>) or transient, started and stopped through an <see cref="INetworkRealiser"/>,
/// autostarted at load, with libvirt's define-time defaults (uuid, bridge name, MAC), its duplicate rules and its
/// messages. Changes take <c>_ops</c> first, one at a time, so what is on disk, in memory and on the host agree and
/// events keep the operations' order; the table itself is guarded by <c>_gate</c>, held only briefly, so lookups and
/// listings (answered inline on the bus connection) never wait for a bridge or dnsmasq to come up.
/// </summary>
public sealed partial class NetworkManager
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private const uint XmlInactive = 1;  // VIR_NETWORK_XML_INACTIVE

    private readonly NetworkStore _store;
    private readonly INetworkRealiser _realiser;
    private readonly IMacAddressSource _macs;
    private readonly Lock _ops = new();
    private readonly Lock _gate = new();
    private readonly List<Entry> _networks = [];

    public NetworkManager(string stateDirectory, string runtimeDirectory, INetworkRealiser realiser, IMacAddressSource? macs = null)
    {
        _store = new NetworkStore(stateDirectory, runtimeDirectory);
        _realiser = realiser;
        _macs = macs ?? RandomMacAddressSource.Instance;
    }

    public event Action<NetworkLifecycleEvent>? LifecycleEvent;

    private void Raise(Entry entry, NetworkEventType type) => LifecycleEvent?.Invoke(new NetworkLifecycleEvent(entry.Def.Uuid, type, entry.Def.Name));

    /// <summary>Loads the persistent networks and the status of those still running, then starts the autostart ones that are not.</summary>
    public void Load()
    {
        lock (_ops)
        {
            LoadTable();
            foreach (Entry entry in AutostartPending())
            {
                try
                {
                    StartEntry(entry);
                }
                catch (DomainOperationException e)
                {
                    s_log.Error("Cannot autostart network {Network}: {Error}", entry.Def.Name, e.Message);
                }
            }
        }
    }

    private Entry[] AutostartPending()
    {
        lock (_gate)
        {
            return _networks.Where(n => n.Autostart && n.Live is null).ToArray();
        }
    }

    private void LoadTable()
    {
        lock (_gate)
        {
            foreach ((NetworkDef def, bool autostart) in _store.LoadAll())
            {
                if (_networks.Any(n => n.Def.Name == def.Name || n.Def.Uuid == def.Uuid))
                {
                    s_log.Error("Ignoring network {Network} ({Uuid}): it clashes with another", def.Name, def.Uuid);
                    continue;
                }
                _networks.Add(new Entry(def) { Persistent = true, Autostart = autostart });
            }
            foreach (NetworkDef live in _store.LoadStatus())
            {
                Entry? entry = _networks.FirstOrDefault(n => n.Def.Uuid == live.Uuid);
                if (entry is null)
                {
                    entry = new Entry(live);
                    _networks.Add(entry);
                }
                entry.Live = live;
                s_log.Info("Network {Network} is running (bridge {Bridge})", live.Name, live.BridgeName);
            }
        }
    }

    /// <summary>virNetworkDefineXML: a new persistent network, or a new definition of an existing one (same name and uuid).</summary>
    public NetworkSnapshot Define(string xml)
    {
        NetworkDef parsed = NetworkXml.Parse(xml);
        lock (_ops)
        lock (_gate)
        {
            Entry? entry = CheckIdentity(parsed);
            NetworkDef def = ApplyDefaults(parsed, entry);
            _store.Save(def);
            if (entry is null)
            {
                entry = new Entry(def);
                _networks.Add(entry);
            }
            entry.Def = def;
            entry.Persistent = true;
            Raise(entry, NetworkEventType.Defined);
            s_log.Info("Defined network {Network} (bridge {Bridge})", def.Name, def.BridgeName);
            return Snapshot(entry);
        }
    }

    /// <summary>virNetworkCreateXML: a transient network, started at once; nothing remains when it cannot start.</summary>
    public NetworkSnapshot CreateTransient(string xml)
    {
        NetworkDef parsed = NetworkXml.Parse(xml);
        lock (_ops)
        {
            Entry entry;
            lock (_gate)
            {
                if (CheckIdentity(parsed) is { } existing)
                {
                    throw existing.Live is not null
                        ? NetworkErrors.Invalid($"network is already active as '{existing.Def.Name}'")
                        : NetworkErrors.Failed($"network '{parsed.Name}' already exists with uuid {existing.Def.Uuid:D}");
                }
                entry = new Entry(ApplyDefaults(parsed, null));
                _networks.Add(entry);
            }
            try
            {
                StartEntry(entry);
            }
            catch
            {
                lock (_gate)
                {
                    _networks.Remove(entry);
                }
                throw;
            }
            return LookupByUuid(entry.Def.Uuid);
        }
    }

    /// <summary>virNetworkUndefine: the definition removed; a running network goes on as a transient one.</summary>
    public void Undefine(Guid uuid)
    {
        lock (_ops)
        lock (_gate)
        {
            Entry entry = Find(uuid);
            if (!entry.Persistent)
            {
                throw NetworkErrors.Invalid("can't undefine transient network");
            }
            _store.Remove(entry.Def.Name);
            entry.Persistent = false;
            entry.Autostart = false;
            if (entry.Live is null)
            {
                _networks.Remove(entry);
            }
            Raise(entry, NetworkEventType.Undefined);
            s_log.Info("Undefined network {Network}", entry.Def.Name);
        }
    }

    /// <summary>virNetworkCreate.</summary>
    public void Start(Guid uuid)
    {
        lock (_ops)
        {
            StartEntry(FindShared(uuid));
        }
    }

    /// <summary>virNetworkDestroy: stopped and torn down; a transient network is gone.</summary>
    public void Destroy(Guid uuid)
    {
        lock (_ops)
        {
            Entry entry = FindShared(uuid);
            NetworkDef live = entry.Live ?? throw NetworkErrors.NotActive(entry.Def.Name);
            _realiser.Stop(live);
            _store.RemoveStatus(live.Name);
            lock (_gate)
            {
                entry.Live = null;
            }
            Raise(entry, NetworkEventType.Stopped);
            s_log.Info("Stopped network {Network}", live.Name);
            if (!entry.Persistent)
            {
                lock (_gate)
                {
                    _networks.Remove(entry);
                }
            }
        }
    }

    public void SetAutostart(Guid uuid, bool autostart)
    {
        lock (_ops)
        lock (_gate)
        {
            Entry entry = Find(uuid);
            if (!entry.Persistent)
            {
                throw NetworkErrors.Invalid("cannot set autostart for transient network");
            }
            _store.SetAutostart(entry.Def.Name, autostart);
            entry.Autostart = autostart;
        }
    }

    /// <summary>Starts a network of the table; the caller holds <c>_ops</c>, so nothing else changes it meanwhile.</summary>
    private void StartEntry(Entry entry)
    {
        if (entry.Live is not null)
        {
            throw NetworkErrors.AlreadyActive();
        }
        NetworkDef def = entry.Def;
        if (!NetworkForwardModes.HasManagedBridge(def.Forward))
        {
            throw NetworkErrors.Unsupported($"forward mode '{NetworkForwardModes.Name(def.Forward)}' (kvmd realises nat, route, open and isolated networks)");
        }
        lock (_gate)
        {
            CheckSubnetsFree(entry);
        }
        _realiser.CheckRoutes(def);
        _realiser.Start(def);
        try
        {
            _store.SaveStatus(def);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _realiser.Stop(def);
            throw NetworkErrors.System($"cannot save the status of network '{def.Name}': {e.Message}", e);
        }
        lock (_gate)
        {
            entry.Live = def;
        }
        Raise(entry, NetworkEventType.Started);
        s_log.Info("Started network {Network} on bridge {Bridge}", def.Name, def.BridgeName);
    }
}
