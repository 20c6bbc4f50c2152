using Kvm.Driver.Domains;
using Kvm.Driver.Networks;

namespace Kvm.Driver.Tests.Networks;

/// <summary>
/// A stand-in for the host side in tests of <see cref="NetworkManager"/>'s own logic (names, duplicates, states,
/// persistence, events): it records what it was asked to do and can be told to fail. The real realiser is tested
/// in <see cref="NetworkNamespaceTests"/>.
/// </summary>
internal sealed class RecordingRealiser : INetworkRealiser
{
    public List<string> Calls { get; } = [];

    public HashSet<string> HostLinks { get; } = [];

    public string? FailStartWith { get; set; }

    public List<DhcpLease> Leases { get; } = [];

    /// <summary>When set, Start signals <see cref="StartEntered"/> and waits for this before it returns (a slow bridge or dnsmasq).</summary>
    public ManualResetEventSlim? HoldStart { get; set; }

    public ManualResetEventSlim StartEntered { get; } = new();

    public bool LinkExists(string name) => HostLinks.Contains(name);

    public void CheckRoutes(NetworkDef def) => Calls.Add("routes " + def.Name);

    public void Start(NetworkDef def)
    {
        if (FailStartWith is not null)
        {
            throw new DomainOperationException(VirErrorCode.SystemError, FailStartWith);
        }
        Calls.Add($"start {def.Name} {def.BridgeName}");
        if (HoldStart is not null)
        {
            StartEntered.Set();
            HoldStart.Wait(TimeSpan.FromSeconds(30));
        }
    }

    public void Stop(NetworkDef def) => Calls.Add($"stop {def.Name} {def.BridgeName}");

    public void RefreshHosts(NetworkDef def) => Calls.Add($"hosts {def.Name} {DnsmasqConfig.HostsFile(def).Trim()}");

    public IReadOnlyList<DhcpLease> ReadLeases(NetworkDef def) => Leases;
}
