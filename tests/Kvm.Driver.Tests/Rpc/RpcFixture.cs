using Kvm.Driver.Rpc;
using Kvm.Driver.Tests.Domains;

namespace Kvm.Driver.Tests.Rpc;

/// <summary>
/// The real driver core (a <see cref="ManagerFixture"/>: DomainManager on temporary directories, kvm-vmm --machine none
/// as its VMM) served by the RPC front end on private read-write and read-only sockets.
/// </summary>
internal sealed class RpcFixture : IAsyncDisposable
{
    private RpcFixture(ManagerFixture manager, RpcServer server)
    {
        Manager = manager;
        Server = server;
    }

    public ManagerFixture Manager { get; }

    public RpcServer Server { get; }

    public string Socket => Server.Options.SocketPath;

    public string ReadOnlySocket => Server.Options.ReadOnlySocketPath!;

    /// <summary>The URI virsh and python3-libvirt are given: libvirt's client, unchanged, on our socket.</summary>
    public string Uri => "qemu:///session?socket=" + Socket;

    public string ReadOnlyUri => "qemu:///session?socket=" + ReadOnlySocket;

    /// <param name="vmmPrefix">Shell run before the VMM starts (a delay, for tests of calls that overlap a start).</param>
    /// <param name="socketPath">The read-write socket (default: in the fixture's directory).</param>
    /// <param name="accessGroup">The read-write socket's group (as the system instance's), or null (as the session's).</param>
    public static async Task<RpcFixture> StartAsync(int maxQueuedPackets = 1024, string? vmmPrefix = null, string? socketPath = null,
        string? readOnlySocketPath = null, string? accessGroup = null, Func<ManagerFixture, Kvm.Driver.Api.HostObjects>? hostObjects = null)
    {
        var manager = new ManagerFixture();
        if (vmmPrefix is not null)
        {
            string script = File.ReadAllText(manager.FakeVmm);
            File.WriteAllText(manager.FakeVmm, script.Replace("exec ", vmmPrefix + "\nexec ", StringComparison.Ordinal));
        }
        await manager.Manager.InitializeAsync(CancellationToken.None);
        var options = new RpcServerOptions
        {
            SocketPath = socketPath ?? Path.Combine(manager.Root, "virtqemud-sock"),
            ReadOnlySocketPath = readOnlySocketPath ?? Path.Combine(manager.Root, "virtqemud-sock-ro"),
            AccessGroup = accessGroup,
            Uri = "qemu:///session",
            MaxQueuedPackets = maxQueuedPackets,
            Api = new Kvm.Driver.Api.KvmdApiOptions { EmulatorPath = manager.Options.VmmPath }, // as kvmd's Program gives both the one kvm-vmm
        };
        return new RpcFixture(manager, RpcServer.Start(manager.Manager, options, hostObjects?.Invoke(manager)));
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Manager.DisposeAsync();
    }
}
