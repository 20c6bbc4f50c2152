using Kvm.Driver.Networks;

namespace Kvm.Driver.Tests.Networks;

/// <summary>
/// A network namespace of the test's own (<c>ip netns add</c>), so bridges, addresses, firewall rules and dnsmasq
/// never touch the machine's own network; removed on dispose. Needs root and iproute2: the test is ignored, saying
/// so, without them.
/// </summary>
internal sealed class NetNamespace : IDisposable
{
    private NetNamespace(string name)
    {
        Name = name;
        Commands = new HostCommands("ip", "netns", "exec", name);
    }

    public string Name { get; }

    /// <summary>Runs tools inside the namespace.</summary>
    public HostCommands Commands { get; }

    public static NetNamespace Create(params (string Tool, string Package)[] tools)
    {
        if (Environment.UserName != "root")
        {
            Assert.Ignore("Needs root: the test makes a network namespace with bridges, nftables rules and dnsmasq in it");
        }
        foreach ((string tool, string package) in tools.Prepend(("ip", "iproute2")))
        {
            if (HostCommands.Find(tool) is null)
            {
                Assert.Ignore($"Needs {tool} (Debian package {package})");
            }
        }
        string name = "kvmd-test-" + Guid.NewGuid().ToString("N")[..8];
        (int exit, _, string stderr) = HostCommands.Host.TryRun("ip", "netns", "add", name);
        if (exit != 0)
        {
            Assert.Ignore($"Cannot make a network namespace here: {stderr.Trim()}");
        }
        var ns = new NetNamespace(name);
        ns.Run("ip", "link", "set", "lo", "up");
        return ns;
    }

    public string Run(params string[] args) => Commands.Run($"{string.Join(' ', args)} in {Name}", args[0], args[1..]);

    public (int Exit, string Stdout, string Stderr) TryRun(params string[] args) => Commands.TryRun(args[0], args[1..]);

    /// <summary>The namespace's inode, as /proc/PID/ns/net shows it ("net:[INODE]") for a process inside it.</summary>
    public string Inode => "net:[" + HostCommands.Host.Run("stat", "stat", "-L", "-c", "%i", "/run/netns/" + Name).Trim() + "]";

    /// <summary>Kills what still runs inside (a dnsmasq a daemon left behind), then removes the namespace.</summary>
    public void Dispose()
    {
        (_, string pids, _) = HostCommands.Host.TryRun("ip", "netns", "pids", Name);
        foreach (string pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(int.Parse(pid));
                process.Kill();
                process.WaitForExit(5_000);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
        HostCommands.Host.TryRun("ip", "netns", "del", Name);
    }
}
