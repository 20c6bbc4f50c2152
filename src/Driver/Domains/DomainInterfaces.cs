using Kvm.DomainXml.Model;
using Kvm.Driver.Networks;

namespace Kvm.Driver.Domains;

/// <summary>
/// A running domain's interfaces seen from the host, as libvirt's QEMU driver reads them: the counters of each
/// interface's host device from the kernel's /proc/net/dev (rx and tx swapped: the host's tx is the guest's rx),
/// and its addresses from the leases of its libvirt network or from the host's ARP table, matched by MAC.
/// </summary>
internal sealed class DomainInterfaces
{
    private readonly DomainTable _table;
    private readonly string _procNet;
    private readonly Func<string, IReadOnlyList<DhcpLease>>? _networkLeases;

    /// <param name="procNet">The kernel's per-namespace network tables (/proc/net, or /proc/PID/net).</param>
    /// <param name="networkLeases">The DHCP leases of a libvirt network by name (empty when not running); null without networks.</param>
    public DomainInterfaces(DomainTable table, string procNet, Func<string, IReadOnlyList<DhcpLease>>? networkLeases)
    {
        _table = table;
        _procNet = procNet;
        _networkLeases = networkLeases;
    }

    /// <summary>virDomainInterfaceStats: the interface by host device name or MAC.</summary>
    public InterfaceCounters GetStats(Guid uuid, string device)
    {
        IReadOnlyList<InterfaceDef> nets = ActiveInterfaces(uuid);
        InterfaceDef net = nets.FirstOrDefault(n => n.TargetDev is { } dev && dev == device)
            ?? nets.FirstOrDefault(n => n.Mac is { } mac && string.Equals(mac, device, StringComparison.OrdinalIgnoreCase))
            ?? throw new DomainOperationException(VirErrorCode.InvalidArg, $"invalid argument: '{device}' is not a known interface") { FromDomainConf = true };
        if (net.TargetDev is not { } ifname || !ProcNetDev.TryFind(ReadTable("dev"), ifname, out InterfaceCounters host))
        {
            throw new DomainOperationException(VirErrorCode.InternalError, "internal error: /proc/net/dev: Interface not found");
        }
        return host.Swapped();
    }

    /// <summary>The net.* group: the interfaces with a host device, counters where the kernel has them; empty when inactive.</summary>
    public IReadOnlyList<DomainInterfaceStats> GetAllStats(Guid uuid)
    {
        IReadOnlyList<InterfaceDef> nets;
        var entry = _table.Find(uuid);
        lock (_table.Gate)
        {
            if (!entry.Active)
            {
                return [];
            }
            nets = entry.Current.Definition.Devices.Interfaces;
        }
        string? table = null;
        var stats = new List<DomainInterfaceStats>();
        foreach (InterfaceDef net in nets)
        {
            if (net.TargetDev is not { } ifname)
            {
                continue;
            }
            table ??= ReadTable("dev");
            stats.Add(new DomainInterfaceStats(ifname, ProcNetDev.TryFind(table, ifname, out InterfaceCounters host) ? host.Swapped() : null));
        }
        return stats;
    }

    /// <summary>virDomainInterfaceAddresses from the given source.</summary>
    public IReadOnlyList<DomainInterfaceAddresses> GetAddresses(Guid uuid, uint source, uint flags)
    {
        Api.LibvirtErrors.CheckFlags(flags, 0, "qemuDomainInterfaceAddresses");
        IReadOnlyList<InterfaceDef> nets = ActiveInterfaces(uuid);
        return (InterfaceAddressSource)source switch
        {
            InterfaceAddressSource.Lease => FromLeases(nets),
            InterfaceAddressSource.Arp => FromArp(nets),
            InterfaceAddressSource.Agent => throw new DomainOperationException(VirErrorCode.ArgumentUnsupported,
                "argument unsupported: QEMU guest agent is not configured"),
            _ => throw new DomainOperationException(VirErrorCode.InvalidArg, $"invalid argument: Unknown IP address data source {source}"),
        };
    }

    /// <summary>One entry per interface on a libvirt network that has leases for its MAC, with all of them.</summary>
    private List<DomainInterfaceAddresses> FromLeases(IReadOnlyList<InterfaceDef> nets)
    {
        var result = new List<DomainInterfaceAddresses>();
        foreach (InterfaceDef net in nets)
        {
            if (net.Type != "network" || net.Source is not { } network || net.Mac is not { } mac || _networkLeases is null)
            {
                continue;
            }
            DomainIpAddress[] addresses = _networkLeases(network)
                .Where(l => string.Equals(l.Mac, mac, StringComparison.OrdinalIgnoreCase))
                .Select(l => new DomainIpAddress(l.Type, l.IpAddress, l.Prefix))
                .ToArray();
            if (addresses.Length > 0)
            {
                result.Add(new DomainInterfaceAddresses(net.TargetDev ?? "", mac, addresses));
            }
        }
        return result;
    }

    /// <summary>One entry per ARP table entry whose MAC is an interface's, each with that one IPv4 address (prefix unknown: 0).</summary>
    private List<DomainInterfaceAddresses> FromArp(IReadOnlyList<InterfaceDef> nets)
    {
        IReadOnlyList<(string Address, string Mac)> arp = ProcNetArp.Parse(ReadTable("arp"));
        var result = new List<DomainInterfaceAddresses>();
        foreach (InterfaceDef net in nets)
        {
            foreach ((string address, string mac) in arp)
            {
                if (net.Mac is { } own && string.Equals(own, mac, StringComparison.OrdinalIgnoreCase))
                {
                    result.Add(new DomainInterfaceAddresses(net.TargetDev ?? "", own, [new DomainIpAddress(0, address, 0)]));
                }
            }
        }
        return result;
    }

    private IReadOnlyList<InterfaceDef> ActiveInterfaces(Guid uuid)
    {
        var entry = _table.Find(uuid);
        lock (_table.Gate)
        {
            DomainStateMachine.Decide(DomainOperation.Interfaces, entry.State, entry.Reason, entry.Persistent is not null, entry.Name).ThrowIfRefused();
            return entry.Current.Definition.Devices.Interfaces;
        }
    }

    private string ReadTable(string name)
    {
        try
        {
            return File.ReadAllText(Path.Combine(_procNet, name));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DomainOperationException(VirErrorCode.SystemError, $"Unable to open {Path.Combine(_procNet, name)}: {e.Message}", e);
        }
    }
}
