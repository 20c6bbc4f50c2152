using Kvm.Driver.Api;
using Kvm.Driver.Domains;
using NLog;

namespace Kvm.Driver.Secrets;

/// <summary>
/// The driver core's secrets, with libvirt's secret driver rules and messages: define (a new secret, or a new
/// definition of one with the same UUID and usage), lookups by UUID and by usage, the value (never handed out for a
/// private secret), undefine. Persistent secrets live in <see cref="SecretStore"/>; ephemeral ones only in memory.
/// One lock guards the table and the store, so what is on disk and in memory agree.
/// </summary>
public sealed class SecretManager
{
    // virConnectListAllSecretsFlags
    public const uint ListEphemeral = 1, ListNoEphemeral = 2, ListPrivate = 4, ListNoPrivate = 8;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private readonly SecretStore _store;
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Entry> _secrets = [];

    public SecretManager(string stateDirectory)
    {
        _store = new SecretStore(stateDirectory);
    }

    /// <summary>Defined and undefined, raised under the table's lock so they keep the operations' order.</summary>
    public event Action<SecretLifecycleEvent>? LifecycleEvent;

    /// <summary>Loads the persistent secrets and their values.</summary>
    public void Load()
    {
        lock (_gate)
        {
            foreach ((SecretDef def, byte[]? value) in _store.LoadAll())
            {
                if (_secrets.ContainsKey(def.Uuid) || FindByUsage(def.UsageType, def.UsageId) is not null)
                {
                    s_log.Error("Ignoring secret {Uuid}: it clashes with another", def.Uuid);
                    continue;
                }
                _secrets.Add(def.Uuid, new Entry(def) { Value = value });
            }
        }
    }

    /// <summary>virConnectListAllSecrets with its ephemeral and private filters.</summary>
    public IReadOnlyList<SecretDef> List(uint flags)
    {
        LibvirtErrors.CheckFlags(flags, ListEphemeral | ListNoEphemeral | ListPrivate | ListNoPrivate, "secretConnectListAllSecrets");
        lock (_gate)
        {
            return _secrets.Values.Select(e => e.Def)
                .Where(d => Pick(flags, ListEphemeral, ListNoEphemeral, d.Ephemeral) && Pick(flags, ListPrivate, ListNoPrivate, d.Private))
                .OrderBy(d => d.Uuid.ToString("D"), StringComparer.Ordinal)
                .ToArray();
        }
    }

    public SecretDef LookupByUuid(Guid uuid)
    {
        lock (_gate)
        {
            return Find(uuid).Def;
        }
    }

    /// <summary>virSecretLookupByUsage: a secret of that usage type and id (a secret without usage is never found).</summary>
    public SecretDef LookupByUsage(int usageType, string usageId)
    {
        lock (_gate)
        {
            return FindByUsage((SecretUsageType)usageType, usageId)?.Def ?? throw SecretErrors.NoSecretByUsage(usageId);
        }
    }

    /// <summary>virSecretDefineXML.</summary>
    public SecretDef Define(string xml, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, 0, "secretDefineXML");
        SecretDef def = SecretXml.Parse(xml);
        lock (_gate)
        {
            _secrets.TryGetValue(def.Uuid, out Entry? entry);
            if (entry is not null)
            {
                if (entry.Def.UsageId != def.UsageId)
                {
                    throw SecretErrors.Internal($"a secret with UUID {def.Uuid:D} is already defined for use with {entry.Def.UsageId ?? "(null)"}");
                }
                if (entry.Def.Private && !def.Private)
                {
                    throw SecretErrors.Internal("cannot change private flag on existing secret");
                }
            }
            else if (FindByUsage(def.UsageType, def.UsageId) is { } other)
            {
                throw SecretErrors.Internal($"a secret with UUID {other.Def.Uuid:D} already defined for use with {def.UsageId}");
            }
            Persist(entry, def);
            if (entry is null)
            {
                entry = new Entry(def);
                _secrets.Add(def.Uuid, entry);
            }
            entry.Def = def;
            LifecycleEvent?.Invoke(new SecretLifecycleEvent(def.Uuid, SecretEventType.Defined));
            s_log.Info("Defined secret {Uuid} ({Usage} {UsageId})", def.Uuid, SecretUsageNames.Name(def.UsageType), def.UsageId);
            return def;
        }
    }

    /// <summary>virSecretGetValue: a private secret's value is never returned.</summary>
    public byte[] GetValue(Guid uuid, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, 0, "secretGetValue");
        lock (_gate)
        {
            Entry entry = Find(uuid);
            if (entry.Def.Private)
            {
                throw SecretErrors.IsPrivate();
            }
            return (byte[]?)entry.Value?.Clone() ?? throw SecretErrors.NoValue(uuid);
        }
    }

    /// <summary>virSecretSetValue: kept in memory, and in the store unless the secret is ephemeral.</summary>
    public void SetValue(Guid uuid, ReadOnlySpan<byte> value, uint flags)
    {
        LibvirtErrors.CheckFlags(flags, 0, "secretSetValue");
        byte[] copy = value.ToArray();
        lock (_gate)
        {
            Entry entry = Find(uuid);
            if (!entry.Def.Ephemeral)
            {
                Write(() => _store.SaveValue(uuid, copy), "cannot write secret value");
            }
            entry.Value = copy;
        }
    }

    /// <summary>virSecretUndefine: the definition and the value go, from disk first.</summary>
    public void Undefine(Guid uuid)
    {
        lock (_gate)
        {
            Entry entry = Find(uuid);
            if (!entry.Def.Ephemeral)
            {
                Write(() => _store.Remove(uuid), "cannot remove secret");
            }
            _secrets.Remove(uuid);
            LifecycleEvent?.Invoke(new SecretLifecycleEvent(uuid, SecretEventType.Undefined));
            s_log.Info("Undefined secret {Uuid}", uuid);
        }
    }

    /// <summary>What define writes: a persistent definition (and a value it had while ephemeral), or removes the files of one that becomes ephemeral.</summary>
    private void Persist(Entry? existing, SecretDef def)
    {
        if (!def.Ephemeral)
        {
            if (existing is { Def.Ephemeral: true, Value: { } value })
            {
                Write(() => _store.SaveValue(def.Uuid, value), "cannot write secret value");
            }
            Write(() => _store.SaveDefinition(def), "cannot write secret definition");
        }
        else if (existing is { Def.Ephemeral: false })
        {
            Write(() => _store.Remove(def.Uuid), "cannot remove secret");
        }
    }

    private void Write(Action action, string what)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SecretErrors.System($"{what} in '{_store.Directory}'", e);
        }
    }

    private Entry Find(Guid uuid) => _secrets.TryGetValue(uuid, out Entry? entry) ? entry : throw SecretErrors.NoSecretByUuid(uuid);

    private Entry? FindByUsage(SecretUsageType type, string? usageId) =>
        type == SecretUsageType.None ? null : _secrets.Values.FirstOrDefault(e => e.Def.UsageType == type && e.Def.UsageId == usageId);

    /// <summary>A pair of filter bits: neither (or both) keeps every secret, one keeps the secrets it names.</summary>
    private static bool Pick(uint flags, uint yes, uint no, bool value)
    {
        uint set = flags & (yes | no);
        return set == 0 || set == (yes | no) || (value ? set == yes : set == no);
    }

    private sealed class Entry(SecretDef def)
    {
        public SecretDef Def { get; set; } = def;

        public byte[]? Value { get; set; }
    }
}
