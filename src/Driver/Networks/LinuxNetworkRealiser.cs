using System.Globalization;
using System.Text.Json;
using Kvm.Driver.Domains;
using Kvm.Driver.Interop;
using NLog;

namespace Kvm.Driver.Networks;

/// <summary>
/// A network made real on Linux as libvirt's network driver makes it (networkStartNetworkVirtual): the bridge (its
/// MAC, MTU, forward delay, then STP), the addresses, the bridge up, nftables rules in a table of the network's own,
/// IPv4 forwarding for NAT and routed networks, then dnsmasq with a generated configuration under the runtime
/// directory. Each step that succeeds pushes its undo; a failing step runs them back, so a failed start leaves nothing.
/// All tools run through <see cref="HostCommands"/> (the host's, or inside a namespace).
/// </summary>
public sealed class LinuxNetworkRealiser : INetworkRealiser
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();
    private static readonly UnixFileMode s_readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private readonly string _runtimeDirectory;
    private readonly HostCommands _commands;

    public LinuxNetworkRealiser(string runtimeDirectory, HostCommands? commands = null)
    {
        _runtimeDirectory = runtimeDirectory;
        _commands = commands ?? HostCommands.Host;
    }

    public bool LinkExists(string name) =>
        _commands.TryRun(Ip, "link", "show", "dev", name).Exit == 0;

    public void CheckRoutes(NetworkDef def)
    {
        string json = _commands.Run("Cannot read the routing table", Ip, "-j", "route", "show", "table", "main");
        using JsonDocument routes = JsonDocument.Parse(json.Length == 0 ? "[]" : json);
        foreach (JsonElement route in routes.RootElement.EnumerateArray())
        {
            string dst = route.TryGetProperty("dst", out JsonElement d) ? d.GetString() ?? "" : "";
            string dev = route.TryGetProperty("dev", out JsonElement v) ? v.GetString() ?? "" : "";
            if (dst == "default" || dev == def.BridgeName || !TryParseSubnet(dst, out System.Net.IPAddress? address, out int prefix))
            {
                continue;
            }
            if (def.IPv4.Any(ip => NetworkAddresses.Overlap(ip.Address, ip.PrefixLength, address!, prefix)))
            {
                throw NetworkErrors.Internal($"Network is already in use by interface {dev}");
            }
        }
    }

    public void Start(NetworkDef def)
    {
        string bridge = def.BridgeName ?? throw NetworkErrors.Internal($"network '{def.Name}' has no bridge name defined");
        string ip = Ip;
        string nft = NftablesRules.HasTable(def) ? HostCommands.Require("nft", "nftables") : "";
        string dnsmasq = HostCommands.Require("dnsmasq", "dnsmasq-base");
        NetworkFiles files = NetworkFiles.For(_runtimeDirectory, def.Name);
        var undo = new Stack<(string What, Action Action)>();
        try
        {
            Directory.CreateDirectory(files.Directory, s_readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            var add = new List<string> { "link", "add", "name", bridge };
            if (def.Mac is not null)
            {
                add.AddRange(["address", def.Mac]);
            }
            if (def.Mtu is uint mtu)
            {
                add.AddRange(["mtu", mtu.ToString(CultureInfo.InvariantCulture)]);
            }
            // The delay in centiseconds, with STP still off: the kernel refuses a short delay once STP is on.
            add.AddRange(["type", "bridge", "forward_delay", (def.Delay * 100).ToString(CultureInfo.InvariantCulture), "stp_state", "0"]);
            _commands.Run($"Unable to create bridge {bridge}", ip, [.. add]);
            undo.Push(($"delete bridge {bridge}", () => _commands.TryRun(ip, "link", "del", "dev", bridge)));
            if (def.Stp)
            {
                _commands.Run($"Unable to enable STP on bridge {bridge}", ip, "link", "set", "dev", bridge, "type", "bridge", "stp_state", "1");
            }
            foreach (NetworkIpDef address in def.Ips)
            {
                string cidr = $"{address.Address}/{address.PrefixLength}";
                string[] args = address.IsIPv4
                    ? ["addr", "add", cidr, "broadcast", "+", "dev", bridge]
                    : ["-6", "addr", "add", cidr, "dev", bridge, "nodad"];
                _commands.Run($"Cannot set IP address {cidr} on {bridge}", ip, args);
            }
            _commands.Run($"Unable to bring up bridge {bridge}", ip, "link", "set", "dev", bridge, "up");
            if (NftablesRules.HasTable(def))
            {
                WriteFile(files.NftRules, NftablesRules.Contents(def));
                undo.Push(($"remove {files.NftRules}", () => File.Delete(files.NftRules)));
                _commands.Run($"Cannot add the firewall rules of network '{def.Name}'", nft, "-f", files.NftRules);
                undo.Push(($"delete nftables table {NftablesRules.TableName(def)}", () => _commands.TryRun(nft, "delete", "table", "inet", NftablesRules.TableName(def))));
            }
            if (def.Forward is NetworkForwardMode.Nat or NetworkForwardMode.Route)
            {
                _commands.Run("Cannot enable IPv4 forwarding", "/bin/sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward");
            }
            StartDnsmasq(def, files, dnsmasq, undo);
        }
        catch (Exception e) when (e is DomainOperationException or IOException or UnauthorizedAccessException)
        {
            while (undo.TryPop(out (string What, Action Action) step))
            {
                try
                {
                    step.Action();
                }
                catch (Exception undoError) when (undoError is DomainOperationException or IOException or UnauthorizedAccessException)
                {
                    s_log.Error("Could not {Step} after network {Network} failed to start: {Error}", step.What, def.Name, undoError.Message);
                }
            }
            throw e as DomainOperationException ?? NetworkErrors.System($"Cannot start network '{def.Name}': {e.Message}", e);
        }
    }

    public void Stop(NetworkDef def)
    {
        NetworkFiles files = NetworkFiles.For(_runtimeDirectory, def.Name);
        StopDnsmasq(files);
        if (NftablesRules.HasTable(def) && HostCommands.Find("nft") is { } nft)
        {
            (int exit, _, string stderr) = _commands.TryRun(nft, "delete", "table", "inet", NftablesRules.TableName(def));
            if (exit != 0 && !stderr.Contains("No such file", StringComparison.Ordinal))
            {
                s_log.Warn("Could not delete the firewall table of network {Network}: {Error}", def.Name, stderr.Trim());
            }
        }
        if (def.BridgeName is { } bridge && LinkExists(bridge))
        {
            _commands.Run($"Unable to delete bridge {bridge}", Ip, "link", "del", "dev", bridge);
        }
        foreach (string file in files.All)
        {
            File.Delete(file);
        }
    }

    public void RefreshHosts(NetworkDef def)
    {
        NetworkFiles files = NetworkFiles.For(_runtimeDirectory, def.Name);
        WriteFile(files.HostsFile, DnsmasqConfig.HostsFile(def));
        WriteFile(files.AddnHostsFile, DnsmasqConfig.AddnHosts(def));
        if (ReadPid(files) is int pid && LibC.Kill(pid, 1) != 0) // SIGHUP: dnsmasq re-reads its hosts files
        {
            s_log.Warn("Could not signal dnsmasq ({Pid}) of network {Network}", pid, def.Name);
        }
    }

    public IReadOnlyList<DhcpLease> ReadLeases(NetworkDef def)
    {
        string file = NetworkFiles.For(_runtimeDirectory, def.Name).LeaseFile;
        try
        {
            return File.Exists(file) ? DnsmasqLeases.Parse(def, File.ReadAllText(file)) : [];
        }
        catch (IOException e)
        {
            throw NetworkErrors.System($"Unable to read leases file: {file}: {e.Message}", e);
        }
    }

    /// <summary>The pid dnsmasq wrote, when that process is still there.</summary>
    public static int? ReadPid(NetworkFiles files)
    {
        try
        {
            return int.TryParse(File.ReadAllText(files.PidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && Directory.Exists($"/proc/{pid}") ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Ip => HostCommands.Require("ip", "iproute2");

    private void StartDnsmasq(NetworkDef def, NetworkFiles files, string dnsmasq, Stack<(string, Action)> undo)
    {
        WriteFile(files.HostsFile, DnsmasqConfig.HostsFile(def));
        WriteFile(files.AddnHostsFile, DnsmasqConfig.AddnHosts(def));
        WriteFile(files.DnsmasqConfig, DnsmasqConfig.Contents(def, files));
        undo.Push(("remove the dnsmasq files", () => { foreach (string f in files.All) { File.Delete(f); } }));
        // dnsmasq checks its configuration and binds before its parent exits, and reports a failure as its exit status.
        _commands.Run($"Cannot start dnsmasq for network '{def.Name}'", dnsmasq, "--conf-file=" + files.DnsmasqConfig);
        undo.Push(("stop dnsmasq", () => StopDnsmasq(files)));
        if (ReadPid(files) is null)
        {
            throw NetworkErrors.Internal($"dnsmasq of network '{def.Name}' did not stay up (no live pid in {files.PidFile})");
        }
    }

    private static void StopDnsmasq(NetworkFiles files)
    {
        if (ReadPid(files) is not int pid)
        {
            return;
        }
        LibC.Kill(pid, 15); // SIGTERM
        for (int i = 0; i < 100 && Directory.Exists($"/proc/{pid}") && !IsZombie(pid); i++)
        {
            Thread.Sleep(20);
        }
        if (Directory.Exists($"/proc/{pid}") && !IsZombie(pid))
        {
            LibC.Kill(pid, LibC.SigKill);
        }
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static void WriteFile(string path, string content) =>
        Storage.AtomicFile.WriteAllText(path, content, s_readable);

    private static bool TryParseSubnet(string text, out System.Net.IPAddress? address, out int prefix)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        prefix = 32;
        return System.Net.IPAddress.TryParse(slash < 0 ? text : text[..slash], out address)
            && (slash < 0 || int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix));
    }
}
