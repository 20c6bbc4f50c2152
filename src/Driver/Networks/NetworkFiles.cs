namespace Kvm.Driver.Networks;

/// <summary>Where a running network's files are, under the runtime directory's <c>network/</c> (libvirt: /run/libvirt/network).</summary>
public sealed record NetworkFiles(string Directory, string Name)
{
    public static NetworkFiles For(string runtimeDirectory, string name) => new(Path.Combine(runtimeDirectory, "network"), name);

    public string DnsmasqConfig => Path.Combine(Directory, Name + ".conf");

    public string PidFile => Path.Combine(Directory, Name + ".pid");

    public string LeaseFile => Path.Combine(Directory, Name + ".leases");

    public string HostsFile => Path.Combine(Directory, Name + ".hostsfile");

    public string AddnHostsFile => Path.Combine(Directory, Name + ".addnhosts");

    public string NftRules => Path.Combine(Directory, Name + ".nft");

    public IEnumerable<string> All => [DnsmasqConfig, PidFile, LeaseFile, HostsFile, AddnHostsFile, NftRules];
}
