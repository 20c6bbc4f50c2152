using Kvm.Driver.Api;

namespace Kvm.Driver.Rpc;

/// <summary>Where kvmd serves libvirt's RPC protocol and who may use it.</summary>
public sealed record RpcServerOptions
{
    /// <summary>The read-write socket.</summary>
    public required string SocketPath { get; init; }

    /// <summary>The read-only socket beside it (the system instance's -sock-ro), or null.</summary>
    public string? ReadOnlySocketPath { get; init; }

    /// <summary>The URI this instance is (qemu:///session or qemu:///system): CONNECT_OPEN accepts it and GET_URI answers it.</summary>
    public required string Uri { get; init; }

    /// <summary>
    /// Who may connect to the read-write socket besides root (the system instance: the same group as the D-Bus
    /// policy's); null lets anyone who can open the socket in (the session instance: the socket is the user's, mode 0600).
    /// </summary>
    public string? AccessGroup { get; init; }

    /// <summary>Packets queued to one client before it counts as not reading and is cut off.</summary>
    public int MaxQueuedPackets { get; init; } = 1024;

    /// <summary>Calls read from one client but not yet answered (libvirt's max_client_requests); reading pauses beyond.</summary>
    public int MaxPendingCalls { get; init; } = 5;

    /// <summary>Versions, the emulator path and limits reported (shared with the D-Bus front end).</summary>
    public KvmdApiOptions Api { get; init; } = new();

    /// <summary>
    /// libvirt 9.0's client's sockets for the QEMU driver's modular daemon (remote_sockets.c): qemu:///session uses
    /// $XDG_RUNTIME_DIR/libvirt/virtqemud-sock (no read-only socket), qemu:///system /var/run/libvirt/virtqemud-sock
    /// and -sock-ro (/var/run is /run). The client picks them when they exist, before libvirtd's libvirt-sock.
    /// </summary>
    public static RpcServerOptions Default(bool system)
    {
        if (system)
        {
            return new RpcServerOptions
            {
                SocketPath = "/run/libvirt/virtqemud-sock",
                ReadOnlySocketPath = "/run/libvirt/virtqemud-sock-ro",
                Uri = "qemu:///system",
                AccessGroup = "kvmd",
            };
        }
        string runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"); // virGetUserRuntimeDirectory's fallback
        return new RpcServerOptions { SocketPath = Path.Combine(runtime, "libvirt", "virtqemud-sock"), Uri = "qemu:///session" };
    }
}
