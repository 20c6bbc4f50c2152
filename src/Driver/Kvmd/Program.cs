using System.CommandLine;
using Kvm.Driver.Api;
using Kvm.Driver.Domains;
using Kvm.Driver.Logging;
using Kvm.Driver.Rpc;
using Kvm.Driver.Storage;
using NLog;

namespace Kvm.Kvmd;

/// <summary>kvmd: runs libvirt domains on kvm-vmm and serves the org.libvirt D-Bus API on the session or system bus and libvirt's RPC protocol on virtqemud's sockets.</summary>
public static class Program
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    public static int Main(string[] args)
    {
        // Before any socket exists: D-Bus reads complete on the socket threads, without a thread-pool hop per message.
        Kvm.Driver.Runtime.InlineSocketCompletions.Enable();
        var session = new Option<bool>("--session") { Description = "Serve the user's session bus (DBUS_SESSION_BUS_ADDRESS)" };
        var system = new Option<bool>("--system") { Description = "Serve the system bus" };
        var stateDir = new Option<DirectoryInfo?>("--state-dir") { Description = "Directory for persistent domain definitions" };
        var runtimeDir = new Option<DirectoryInfo?>("--runtime-dir") { Description = "Directory for runtime status and sockets" };
        var vmm = new Option<FileInfo?>("--vmm") { Description = "The kvm-vmm executable (default: the one beside kvmd)" };
        var vmmTimeout = new Option<int>("--vmm-timeout")
        {
            Description = "Seconds a starting kvm-vmm may take to open its monitor, and one QMP command may take",
            DefaultValueFactory = _ => 30,
        };
        var rpcSocket = new Option<string?>("--rpc-socket")
        {
            Description = "libvirt RPC read-write socket (default: where libvirt's client looks for virtqemud: "
                + "$XDG_RUNTIME_DIR/libvirt/virtqemud-sock, or /run/libvirt/virtqemud-sock for --system)",
        };
        var rpcReadOnlySocket = new Option<string?>("--rpc-ro-socket") { Description = "libvirt RPC read-only socket (--system default: /run/libvirt/virtqemud-sock-ro)" };
        var rpcGroup = new Option<string?>("--rpc-group") { Description = "Group whose members may use the read-write socket besides root (--system default: kvmd)" };
        var noRpc = new Option<bool>("--no-rpc") { Description = "Do not serve libvirt's RPC protocol (D-Bus only)" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log lifecycle events" };
        var debug = new Option<bool>("--debug") { Description = "Log every call" };

        var root = new RootCommand("kvmd: runs libvirt domains on the kvm-vmm monitor and serves the org.libvirt D-Bus API")
        {
            session, system, stateDir, runtimeDir, vmm, vmmTimeout, rpcSocket, rpcReadOnlySocket, rpcGroup, noRpc, verbose, debug,
        };
        root.SetAction(async (parse, cancellationToken) =>
        {
            LoggingSetup.Configure("kvmd", LoggingSetup.LevelFor(parse.GetValue(verbose), parse.GetValue(debug)));
            bool isSystem = parse.GetValue(system);
            if (isSystem == parse.GetValue(session))
            {
                Console.Error.WriteLine("kvmd: give exactly one of --session or --system");
                return 2;
            }

            string? address = isSystem ? BusAddress.System : BusAddress.Session;
            if (address is null)
            {
                Console.Error.WriteLine("kvmd: no session bus: DBUS_SESSION_BUS_ADDRESS is not set");
                return 2;
            }

            var options = DomainManagerOptions.Default(isSystem);
            options = options with
            {
                StateDirectory = parse.GetValue(stateDir)?.FullName ?? options.StateDirectory,
                RuntimeDirectory = parse.GetValue(runtimeDir)?.FullName ?? options.RuntimeDirectory,
                VmmPath = parse.GetValue(vmm)?.FullName ?? options.VmmPath,
                ConnectTimeout = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(vmmTimeout))),
                CommandTimeout = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(vmmTimeout))),
            };
            RpcServerOptions? rpc = null;
            if (!parse.GetValue(noRpc))
            {
                rpc = RpcServerOptions.Default(isSystem);
                rpc = rpc with
                {
                    SocketPath = parse.GetValue(rpcSocket) ?? rpc.SocketPath,
                    ReadOnlySocketPath = parse.GetValue(rpcReadOnlySocket) ?? rpc.ReadOnlySocketPath,
                    AccessGroup = parse.GetValue(rpcGroup) ?? rpc.AccessGroup,
                    Api = new KvmdApiOptions { EmulatorPath = options.VmmPath },
                };
            }
            return await ServeAsync(options, address, rpc, cancellationToken).ConfigureAwait(false);
        });
        return root.Parse(args).Invoke();
    }

    /// <summary>Loads the domains, serves the bus until SIGTERM/SIGINT or the bus goes away, then detaches (VMs keep running).</summary>
    private static async Task<int> ServeAsync(DomainManagerOptions options, string address, RpcServerOptions? rpcOptions,
        CancellationToken cancellationToken)
    {
        // SIGTERM is a clean stop from the first moment: while starting it cancels what is under way, once serving it ends the loop below.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopping.Cancel();
        });
        CancellationToken stop = stopping.Token;

        // Both directories are kvmd's own (0700, or refused) and free of interrupted writes before anything reads them.
        try
        {
            DaemonDirectories.Prepare(options.StateDirectory, options.RuntimeDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            s_log.Error("{Error}", e.Message);
            return 1;
        }

        // The virtual networks (bridges, dnsmasq and nftables through the host's tools; both front ends serve them);
        // domains' <interface type='network'> get their running network's bridge from them.
        var networks = new Kvm.Driver.Networks.NetworkManager(options.StateDirectory, options.RuntimeDirectory,
            new Kvm.Driver.Networks.LinuxNetworkRealiser(options.RuntimeDirectory));
        networks.Load();
        options = options with { NetworkBridges = networks.BridgeOf, NetworkLeases = networks.LeasesOf };
        await using var manager = new DomainManager(options);
        // Domain snapshots (metadata under the state directory, images through qemu-img); both front ends serve them.
        var snapshots = new Kvm.Driver.Snapshots.SnapshotManager(manager, options.StateDirectory);
        try
        {
            snapshots.Load();
            await manager.InitializeAsync(stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            s_log.Error("Cannot use {State} and {Runtime}: {Error}", options.StateDirectory, options.RuntimeDirectory, e.Message);
            return 1;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            s_log.Info("kvmd stopped while starting");
            return 0;
        }

        // The storage pools of the state directory (dir pools; both front ends serve them).
        var pools = new Kvm.Driver.Pools.StoragePoolManager(options.StateDirectory);
        pools.Load();
        // Secrets of the state directory, and the host's devices and interfaces (both front ends serve them).
        var secrets = new Kvm.Driver.Secrets.SecretManager(options.StateDirectory);
        secrets.Load();
        var hostObjects = HostObjects.ForHost(secrets, snapshots) with { Networks = networks, Pools = pools };


        // The RPC sockets first: owning the bus name is kvmd's readiness signal, and by then both front ends serve.
        RpcServer? rpc = null;
        if (rpcOptions is not null)
        {
            try
            {
                rpc = RpcServer.Start(manager, rpcOptions, hostObjects);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
            {
                s_log.Error("Cannot serve libvirt's RPC protocol on {Socket}: {Error}", rpcOptions.SocketPath, e.Message);
                return 1;
            }
        }

        KvmdApiService service;
        try
        {
            service = await KvmdApiService.StartAsync(manager, address, new KvmdApiOptions { EmulatorPath = options.VmmPath }, stop, pools, hostObjects, networks)
                .ConfigureAwait(false);
        }
        catch (BusNameTakenException e)
        {
            s_log.Error("{Error}", e.Message);
            await DisposeAsync(rpc).ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // SIGTERM while joining the bus (it can come as soon as the name shows as owned, before the reply reaches us): a stop, not a failure.
            s_log.Info("kvmd stopped while starting");
            await DisposeAsync(rpc).ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is Tmds.DBus.Protocol.DBusExceptionBase or IOException or System.Net.Sockets.SocketException)
        {
            s_log.Error("Cannot connect to the bus at {Address}: {Error}", address, e.Message);
            await DisposeAsync(rpc).ConfigureAwait(false);
            return 1;
        }

        await using (service)
        await using (rpc)
        {
            s_log.Info("kvmd ready: {Count} domain(s), state {State}, runtime {Runtime}", manager.List().Count, options.StateDirectory, options.RuntimeDirectory);
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var registration = stop.Register(() => stopped.TrySetResult());
            Task finished = await Task.WhenAny(stopped.Task, service.Completion).ConfigureAwait(false);
            if (finished == service.Completion && service.Completion.IsFaulted)
            {
                s_log.Error("The bus connection was lost: {Error}", service.Completion.Exception?.GetBaseException().Message);
                return 1;
            }

            s_log.Info("kvmd stopping; running domains keep running");
        }

        return 0;
    }

    private static ValueTask DisposeAsync(RpcServer? rpc) => rpc?.DisposeAsync() ?? ValueTask.CompletedTask;
}
