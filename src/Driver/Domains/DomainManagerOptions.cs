namespace Kvm.Driver.Domains;

/// <summary>Where the domain service keeps its files, which VMM it runs, and its time limits.</summary>
public sealed record DomainManagerOptions
{
    /// <summary>Persistent definitions and autostart markers (system: /var/lib/kvmd; user: $XDG_STATE_HOME/kvmd).</summary>
    public required string StateDirectory { get; init; }

    /// <summary>Runtime status, QMP sockets and VMM logs (system: /run/kvmd; user: $XDG_RUNTIME_DIR/kvmd).</summary>
    public required string RuntimeDirectory { get; init; }

    /// <summary>The kvm-vmm executable.</summary>
    public string VmmPath { get; init; } = DefaultVmmPath();

    public bool IsSystem { get; init; }

    /// <summary>Where QEMU's firmware descriptors are read from for <c>firmware='efi'</c>; null: libvirt's directories.</summary>
    public IReadOnlyList<string>? FirmwareDescriptorDirectories { get; init; }

    /// <summary>How long a starting kvm-vmm may take to open its monitor.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one QMP command may take.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Destroy: how long SIGTERM may take before SIGKILL.</summary>
    public TimeSpan DestroyGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Destroy: how long to wait for the process to go after SIGKILL.</summary>
    public TimeSpan KillTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The bridge of a running virtual network, by name, for <c>&lt;interface type='network'&gt;</c> (throws libvirt's
    /// error when the network is missing or not active); null when kvmd serves no networks.
    /// </summary>
    public Func<string, string>? NetworkBridges { get; init; }

    /// <summary>The DHCP leases of a virtual network by name (empty when it is missing or not running), for interface addresses from LEASE; null when kvmd serves no networks.</summary>
    public Func<string, IReadOnlyList<Networks.DhcpLease>>? NetworkLeases { get; init; }

    /// <summary>The kernel's network tables the interface statistics and ARP entries are read from (dev, arp).</summary>
    public string ProcNetDirectory { get; init; } = "/proc/net";

    /// <summary>The defaults for the system instance or a user's session instance (libvirt's qemu:///system and qemu:///session).</summary>
    public static DomainManagerOptions Default(bool system)
    {
        if (system)
        {
            return new DomainManagerOptions { StateDirectory = "/var/lib/kvmd", RuntimeDirectory = "/run/kvmd", IsSystem = true };
        }

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string state = Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdgState ? xdgState : Path.Combine(home, ".local", "state");
        string runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdgRuntime
            ? Path.Combine(xdgRuntime, "kvmd")
            : Path.Combine(Path.GetTempPath(), "kvmd-" + Environment.UserName);
        return new DomainManagerOptions { StateDirectory = Path.Combine(state, "kvmd"), RuntimeDirectory = runtime };
    }

    /// <summary>kvm-vmm next to the running executable, else in its artifacts folder beside ours (artifacts/bin/Kvm.Vmm/&lt;config&gt;/).</summary>
    public static string DefaultVmmPath()
    {
        string beside = Path.Combine(AppContext.BaseDirectory, "kvm-vmm");
        if (File.Exists(beside))
        {
            return beside;
        }

        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        string configuration = baseDirectory.Name;
        string? bin = baseDirectory.Parent?.Parent?.FullName;
        return bin is null ? beside : Path.Combine(bin, "Kvm.Vmm", configuration, "kvm-vmm");
    }
}
