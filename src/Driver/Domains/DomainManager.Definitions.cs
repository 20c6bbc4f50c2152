using System.Xml.Linq;
using Kvm.DomainXml;
using Kvm.DomainXml.Errors;

namespace Kvm.Driver.Domains;

public sealed partial class DomainManager
{
    /// <summary>Loads the definitions, re-attaches to the VMs that still run, then starts the autostart domains.</summary>
    public async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        Store.EnsureDirectory();
        Runtime.EnsureDirectory();
        foreach (var stored in Store.LoadAll())
        {
            var def = stored.Document.Definition;
            lock (_gate)
            {
                if (_byUuid.TryGetValue(def.Uuid, out var other) || _byName.TryGetValue(def.Name, out other))
                {
                    s_log.Error("Ignoring the definition of {Domain} ({Uuid}): it clashes with {Other} ({OtherUuid})", def.Name, def.Uuid, other.Name, other.Uuid);
                    continue;
                }

                var entry = new DomainEntry(def.Uuid, def.Name) { Persistent = stored.Document, Autostart = stored.Autostart };
                _byUuid.Add(entry.Uuid, entry);
                _byName.Add(entry.Name, entry);
            }
        }

        await ReattachAsync(cancellationToken).ConfigureAwait(false);

        DomainEntry[] autostart;
        lock (_gate)
        {
            autostart = _byUuid.Values.Where(e => e.Autostart && !e.Active).OrderBy(e => e.Name, StringComparer.Ordinal).ToArray();
        }

        foreach (var entry in autostart)
        {
            try
            {
                s_log.Info("Autostarting domain {Domain}", entry.Name);
                await StartAsync(entry.Uuid, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One domain that cannot start does not keep kvmd or the other autostart domains from starting.
                s_log.Error("Failed to autostart domain {Domain}: {Error}", entry.Name, e.Message);
            }
        }
    }

    public DomainInfo Define(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        DomainDocument document = ParseNew(xml);
        var def = document.Definition;
        string text = Format(document, DomainFormatFlags.Secure | DomainFormatFlags.Inactive);
        DomainEntry entry;
        lock (_storeLock)
        {
            lock (_gate)
            {
                CheckIdentity(def.Name, def.Uuid);
            }

            Store.Save(def.Name, text);
            lock (_gate)
            {
                int detail = DomainEventDetail.DefinedAdded;
                if (_byUuid.TryGetValue(def.Uuid, out DomainEntry? existing))
                {
                    entry = existing;
                    detail = entry.Persistent is null ? DomainEventDetail.DefinedAdded : DomainEventDetail.DefinedUpdated;
                    entry.Updated = entry.Active;
                }
                else
                {
                    entry = new DomainEntry(def.Uuid, def.Name);
                    _byUuid.Add(entry.Uuid, entry);
                    _byName.Add(entry.Name, entry);
                }

                entry.Persistent = document;
                Raise(entry, DomainEventType.Defined, detail);
            }
        }

        s_log.Info("Defined domain {Domain} ({Uuid})", def.Name, def.Uuid);
        return Snapshot(entry) ?? throw DomainErrors.NoDomainByUuid(def.Uuid);
    }

    public void Undefine(Guid uuid, uint flags)
    {
        lock (_storeLock)
        {
            var entry = Find(uuid);
            string name;
            lock (_gate)
            {
                DomainStateMachine.Decide(DomainOperation.Undefine, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
                name = entry.Name;
            }

            Store.Delete(name);
            lock (_gate)
            {
                entry.Persistent = null;
                entry.Autostart = false;
                entry.Updated = false;
                Raise(entry, DomainEventType.Undefined, DomainEventDetail.UndefinedRemoved);
                if (!entry.Active)
                {
                    RemoveLocked(entry);
                }
            }

            s_log.Info("Undefined domain {Domain} ({Uuid})", name, uuid);
        }
    }

    public void SetAutostart(Guid uuid, bool autostart)
    {
        lock (_storeLock)
        {
            var entry = Find(uuid);
            string name;
            lock (_gate)
            {
                DomainStateMachine.Decide(DomainOperation.SetAutostart, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
                name = entry.Name;
            }

            Store.SetAutostart(name, autostart);
            lock (_gate)
            {
                entry.Autostart = autostart;
            }
        }
    }

    public void Rename(Guid uuid, string newName)
    {
        ArgumentNullException.ThrowIfNull(newName);
        if (newName.Length == 0 || newName.Contains('/'))
        {
            throw DomainErrors.InvalidArg($"invalid domain name '{newName}'");
        }

        var entry = Find(uuid);
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

    private void RenameHoldingJob(DomainEntry entry, string newName)
    {
        lock (_storeLock)
        {
            string oldName;
            DomainDocument renamed;
            lock (_gate)
            {
                DomainStateMachine.Decide(DomainOperation.Rename, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
                oldName = entry.Name;
                if (newName == oldName)
                {
                    throw DomainErrors.RenameToSelf();
                }

                if (_byName.ContainsKey(newName))
                {
                    throw DomainErrors.RenameTaken(newName);
                }

                var root = XElement.Parse(Format(entry.Persistent!, DomainFormatFlags.Secure | DomainFormatFlags.Inactive));
                root.Element("name")!.Value = newName;
                renamed = DomainXmlParser.Parse(root.ToString(), null, DomainParseFlags.Inactive | DomainParseFlags.SkipValidate);
            }

            Store.Save(newName, Format(renamed, DomainFormatFlags.Secure | DomainFormatFlags.Inactive));
            if (entry.Autostart)
            {
                Store.SetAutostart(newName, true);
            }

            Store.Delete(oldName);
            lock (_gate)
            {
                _byName.Remove(oldName);
                entry.Name = newName;
                entry.Persistent = renamed;
                _byName.Add(newName, entry);
                Raise(entry, DomainEventType.Undefined, DomainEventDetail.UndefinedRenamed);
                Raise(entry, DomainEventType.Defined, DomainEventDetail.DefinedRenamed);
            }

            s_log.Info("Renamed domain {Domain} to {NewName}", oldName, newName);
        }
    }

    public string GetXmlDesc(Guid uuid, DomainXmlFlags flags)
    {
        var entry = Find(uuid);
        DomainDocument document;
        lock (_gate)
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

    /// <summary>libvirt's rules for a new definition's name and uuid against the domains that exist (virDomainObjListAdd).</summary>
    private void CheckIdentity(string name, Guid uuid)
    {
        if (_byUuid.TryGetValue(uuid, out DomainEntry? sameUuid))
        {
            if (sameUuid.Name != name)
            {
                throw DomainErrors.UuidTaken(sameUuid.Name, uuid);
            }
        }
        else if (_byName.TryGetValue(name, out DomainEntry? sameName))
        {
            throw DomainErrors.NameTaken(name, sameName.Uuid);
        }
    }

    private void RemoveLocked(DomainEntry entry)
    {
        entry.Removed = true;
        _byUuid.Remove(entry.Uuid);
        if (_byName.TryGetValue(entry.Name, out var named) && ReferenceEquals(named, entry))
        {
            _byName.Remove(entry.Name);
        }
    }

    /// <summary>
    /// Parses a new definition as <c>virsh define</c> does, then gives the devices on kvm-vmm's PCI bus their addresses
    /// (<see cref="PciAddressAssignment"/>), as libvirt's QEMU driver does at define time.
    /// </summary>
    private static DomainDocument ParseNew(string xml)
    {
        try
        {
            var document = DomainXmlParser.Parse(xml, null, DomainParseFlags.Inactive);
            var tree = XDocument.Parse(Format(document));
            return PciAddressAssignment.Assign(tree)
                ? DomainXmlParser.Parse(tree.ToString(SaveOptions.DisableFormatting), null, DomainParseFlags.Inactive)
                : document;
        }
        catch (DomainXmlException e)
        {
            throw DomainErrors.FromXml(e);
        }
    }
}
