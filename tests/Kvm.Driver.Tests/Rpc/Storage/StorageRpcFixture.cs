using Kvm.Driver.Api;
using Kvm.Driver.Pools;

namespace Kvm.Driver.Tests.Rpc.Storage;

/// <summary>
/// The RPC front end serving the driver core's <see cref="StoragePoolManager"/> (state in a temporary directory),
/// with a directory beside it where the tests' pools put their targets.
/// </summary>
internal sealed class StorageRpcFixture : IAsyncDisposable
{
    private StorageRpcFixture(string root, StoragePoolManager pools, RpcFixture rpc)
    {
        Root = root;
        Pools = pools;
        Rpc = rpc;
    }

    /// <summary>The temporary directory: the manager's state in <c>state/</c>, pool targets anywhere else below it.</summary>
    public string Root { get; }

    public StoragePoolManager Pools { get; }

    public RpcFixture Rpc { get; }

    public static async Task<StorageRpcFixture> StartAsync()
    {
        string root = Directory.CreateTempSubdirectory("kvmd-rpcpool-").FullName;
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var pools = new StoragePoolManager(Path.Combine(root, "state"));
        pools.Load();
        RpcFixture rpc = await RpcFixture.StartAsync(hostObjects: _ => new HostObjects(Pools: pools));
        return new StorageRpcFixture(root, pools, rpc);
    }

    public async ValueTask DisposeAsync()
    {
        await Rpc.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
