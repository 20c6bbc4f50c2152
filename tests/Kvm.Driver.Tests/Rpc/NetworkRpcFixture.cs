using Kvm.Driver.Api;
using Kvm.Driver.Networks;
using Kvm.Driver.Tests.Networks;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>
/// The RPC front end serving the driver core's <see cref="NetworkManager"/> with the real
/// <see cref="LinuxNetworkRealiser"/> (ip, nft, dnsmasq) acting inside a network namespace of the test's own, so
/// started networks make their bridge and dnsmasq there and never on this machine's network. Ignored without root or the tools.
/// </summary>
internal sealed class NetworkRpcFixture : IAsyncDisposable
{
    /// <summary>A NAT network with everything libvirt would generate given (uuid, bridge, MAC), so kvmd and libvirt agree on it.</summary>
    public const string Name = "rpcnet", Uuid = "6f1e1a9c-5a43-4c1a-9d0e-2b7c4d1f0a11", Bridge = "virbr7";

    public const string Xml = $"""
        <network>
          <name>{Name}</name>
          <uuid>{Uuid}</uuid>
          <forward mode='nat'/>
          <bridge name='{Bridge}' stp='on' delay='0'/>
          <mac address='52:54:00:12:34:56'/>
          <ip address='192.168.151.1' netmask='255.255.255.0'>
            <dhcp>
              <range start='192.168.151.2' end='192.168.151.254'/>
            </dhcp>
          </ip>
        </network>
        """;

    private readonly NetNamespace _ns;
    private readonly string _root;

    private NetworkRpcFixture(NetNamespace ns, string root, NetworkManager networks, RpcFixture rpc)
    {
        _ns = ns;
        _root = root;
        Networks = networks;
        Rpc = rpc;
    }

    public NetworkManager Networks { get; }

    public RpcFixture Rpc { get; }

    public NetNamespace Namespace => _ns;

    /// <summary>A file holding <paramref name="xml"/>, for virsh net-define and the scripts.</summary>
    public string WriteFile(string fileName, string xml)
    {
        string path = Path.Combine(_root, fileName);
        File.WriteAllText(path, xml);
        return path;
    }

    public static async Task<NetworkRpcFixture> StartAsync()
    {
        NetNamespace ns = NetNamespace.Create(("nft", "nftables"), ("dnsmasq", "dnsmasq-base"));
        string root = Directory.CreateTempSubdirectory("kvmd-rpcnet-").FullName;
        // dnsmasq drops root for nobody and still reads its hosts files: the runtime directory must be reachable.
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        string runtime = Path.Combine(root, "run");
        var networks = new NetworkManager(Path.Combine(root, "state"), runtime, new LinuxNetworkRealiser(runtime, ns.Commands));
        networks.Load();
        RpcFixture rpc = await RpcFixture.StartAsync(hostObjects: _ => new HostObjects(Networks: networks));
        return new NetworkRpcFixture(ns, root, networks, rpc);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (NetworkSnapshot network in Networks.List().Where(n => n.Active))
        {
            Networks.Destroy(network.Uuid);
        }
        await Rpc.DisposeAsync();
        _ns.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
