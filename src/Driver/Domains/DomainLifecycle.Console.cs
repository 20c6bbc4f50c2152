using Kvm.DomainXml;
using Kvm.DomainXml.Model;

namespace Kvm.Driver.Domains;

internal sealed partial class DomainLifecycle
{
    /// <summary>
    /// qemuDomainOpenConsole's choice of device: by alias (libvirt's console0/serialN/parallelN; the first console,
    /// when it stands for the first serial, is serial0), or without a name the first console, else the first serial;
    /// it must be a pty, whose path the live definition carries.
    /// </summary>
    public string GetConsolePty(Guid uuid, string? devName)
    {
        var entry = _table.Find(uuid);
        DomainDocument live;
        lock (_table.Gate)
        {
            DomainStateMachine.Decide(DomainOperation.OpenConsole, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
            live = entry.Current;
        }

        IReadOnlyList<ChardevDef> chardevs = live.Definition.Devices.Chardevs;
        var all = Aliased(chardevs).ToList();
        (ChardevDef Device, string Alias) chr = devName is null
            ? all.FirstOrDefault(c => c.Device.Kind == ChardevKind.Console) is { Device: not null } console ? console : all.FirstOrDefault(c => c.Device.Kind == ChardevKind.Serial)
            : all.FirstOrDefault(c => c.Alias == devName);
        if (chr.Device is null)
        {
            throw DomainErrors.Internal($"cannot find character device {devName ?? "<null>"}");
        }
        if (chr.Device.Source.Type != "pty" || chr.Device.Source.Path is not { Length: > 0 } pty)
        {
            throw DomainErrors.Internal($"character device {devName ?? chr.Alias} is not using a PTY");
        }
        return pty;
    }

    /// <summary>The console, serial and parallel devices with the aliases libvirt gives them in a running domain.</summary>
    private static IEnumerable<(ChardevDef Device, string Alias)> Aliased(IReadOnlyList<ChardevDef> chardevs)
    {
        bool hasSerial = chardevs.Any(c => c.Kind == ChardevKind.Serial);
        int consoles = 0, serials = 0, parallels = 0;
        foreach (ChardevDef c in chardevs)
        {
            switch (c.Kind)
            {
                case ChardevKind.Console:
                    yield return (c, consoles == 0 && hasSerial && c.TargetType is null or "serial" ? "serial0" : $"console{consoles}");
                    consoles++;
                    break;
                case ChardevKind.Serial:
                    yield return (c, $"serial{serials++}");
                    break;
                case ChardevKind.Parallel:
                    yield return (c, $"parallel{parallels++}");
                    break;
                case ChardevKind.Channel:
                    break;
            }
        }
    }
}
