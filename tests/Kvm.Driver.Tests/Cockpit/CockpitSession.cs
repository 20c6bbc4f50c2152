using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Kvm.Driver.Api;
using Kvm.Driver.Networks;
using Kvm.Driver.Tests.Api;
using Kvm.Driver.Tests.Networks;

namespace Kvm.Driver.Tests.Cockpit;

/// <summary>
/// What a Cockpit page test runs against: a private dbus-daemon with kvmd on it (optionally inside a network namespace
/// of the test's own, so that the networks it starts never touch the machine's interfaces), and
/// <c>cockpit-ws --local-session=cockpit-bridge</c> on a loopback port whose bridge takes that bus as its system bus
/// (cockpit-machines talks to org.libvirt on the system bus for root). cockpit-ws serves one browser session.
/// kvmd runs with <c>--debug</c>, its log kept for the test to inspect and print.
/// </summary>
internal sealed class CockpitSession : IDisposable
{
    private const string CockpitWs = "/usr/lib/cockpit/cockpit-ws";
    private const string CockpitBridge = "/usr/bin/cockpit-bridge";
    private const string MachinesManifest = "/usr/share/cockpit/machines/manifest.json";
    public const string Chromium = "/usr/bin/chromium";
    private const string Packages = "cockpit-ws cockpit-bridge cockpit-system cockpit-machines chromium python3-websocket";

    private readonly StringWriter _cockpitLog = new();
    private readonly StringWriter _kvmdLog = new();
    private PrivateBus? _bus;
    private Process? _kvmd;
    private Process? _cockpit;

    private CockpitSession(string directory) => Directory = directory;

    /// <summary>A temporary directory of the test's own (kvmd's state and runtime are under it), removed on dispose.</summary>
    public string Directory { get; }

    /// <summary>kvmd's runtime directory (its networks' dnsmasq files are under network/).</summary>
    public string RuntimeDirectory => Path.Combine(Directory, "run");

    public string BusAddress => _bus!.Address;

    /// <summary>The Machines page's address on this cockpit-ws.</summary>
    public string MachinesUrl { get; private set; } = "";

    public string CockpitLog { get { lock (_cockpitLog) { return _cockpitLog.ToString(); } } }

    public string KvmdLog { get { lock (_kvmdLog) { return _kvmdLog.ToString(); } } }

    /// <summary>Ignores the test, saying what to install, when a tool is missing or the user is not root.</summary>
    public static void RequireTools()
    {
        foreach (string path in new[] { CockpitWs, CockpitBridge, MachinesManifest, Chromium })
        {
            ExternalTool.Require(path, Packages);
        }

        ExternalTool.Require(ExternalTool.GDBus, "libglib2.0-bin");
        ExternalTool.RequirePythonDBus();
        (int exit, _, string stderr) = ExternalTool.Run(null, ExternalTool.Python, "-c", "import websocket");
        if (exit != 0)
        {
            Assert.Ignore($"python3-websocket is missing: install the Debian packages {Packages} ({stderr.Trim()})");
        }

        if (Environment.UserName != "root")
        {
            // For other users cockpit-machines also lists the session connection, which these tests do not set up.
            Assert.Ignore("cockpit-machines shows only the system connection to root: run this test as root (CI does)");
        }
    }

    /// <summary>Starts the bus and kvmd (inside <paramref name="netns"/> when given); cockpit-ws waits for <see cref="StartCockpit"/>.</summary>
    public static async Task<CockpitSession> StartAsync(NetNamespace? netns = null)
    {
        var session = new CockpitSession(System.IO.Directory.CreateTempSubdirectory("kvmd-cockpit-").FullName);
        if (netns is not null)
        {
            // dnsmasq drops root for nobody and still reads its files under kvmd's runtime directory.
            File.SetUnixFileMode(session.Directory, (UnixFileMode)0b111_101_101);
        }

        session._bus = PrivateBus.Start();
        string[] kvmd = [Executable.Kvmd.Path, "--session", "--debug",
            "--state-dir", Path.Combine(session.Directory, "state"), "--runtime-dir", session.RuntimeDirectory,
            "--rpc-socket", Path.Combine(session.Directory, "virtqemud-sock")];
        // ip netns exec execs kvmd in the namespace (the same process); the bus is a socket path, reachable from there.
        string[] command = netns is null ? kvmd : ["ip", "netns", "exec", netns.Name, .. kvmd];
        session._kvmd = await BusDaemonProcess.StartAsync(netns is null ? command[0] : HostCommands.Find("ip")!,
            session.BusAddress, TimeSpan.FromSeconds(30), command[1..], output: session.LogKvmd);
        return session;
    }

    /// <summary>Defines a domain in kvmd through org.libvirt, as a client would.</summary>
    public void Define(string xml)
    {
        (int exit, string stdout, string stderr) = ExternalTool.Run(BusAddress, ExternalTool.GDBus, "call", "--session",
            "--dest", "org.libvirt", "--object-path", LibvirtPaths.Connect, "--method", "org.libvirt.Connect.DomainDefineXML", xml);
        Assert.That(exit, Is.EqualTo(0), $"DomainDefineXML failed: {stdout}{stderr}");
    }

    /// <summary>Starts cockpit-ws on a free loopback port and waits until it listens.</summary>
    public void StartCockpit()
    {
        int port = FreeLoopbackPort();
        var start = new ProcessStartInfo(CockpitWs)
        {
            ArgumentList = { "--no-tls", "--local-session=" + CockpitBridge, "--address", "127.0.0.1", "--port", port.ToString() },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The bridge inherits this environment: org.libvirt on its "system" bus is kvmd on the private bus.
        start.Environment["DBUS_SYSTEM_BUS_ADDRESS"] = BusAddress;
        start.Environment["DBUS_SESSION_BUS_ADDRESS"] = BusAddress;
        _cockpit = Process.Start(start) ?? throw new InvalidOperationException("cockpit-ws did not start");
        _cockpit.OutputDataReceived += (_, e) => Append(_cockpitLog, e.Data);
        _cockpit.ErrorDataReceived += (_, e) => Append(_cockpitLog, e.Data);
        _cockpit.BeginOutputReadLine();
        _cockpit.BeginErrorReadLine();
        MachinesUrl = $"http://127.0.0.1:{port}/cockpit/@localhost/machines/index.html";

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        Assert.Fail($"cockpit-ws did not listen on 127.0.0.1:{port} within 20 s:\n{CockpitLog}");
    }

    /// <summary>
    /// Runs one of the page scripts beside this assembly with the arguments it takes after CHROMIUM; asserts it ends
    /// with "ok", the failure showing the script's output (what the page showed) and cockpit-ws's log.
    /// </summary>
    public string RunScript(string script, TimeSpan timeout, params string[] args)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Cockpit", script);
        (int code, string stdout, string stderr) = ExternalTool.Run(null, timeout, ExternalTool.Python, [path, Chromium, .. args]);
        TestContext.Out.WriteLine(stdout);
        Assert.That((code, stdout.TrimEnd().Split('\n')[^1]), Is.EqualTo((0, "ok")),
            $"{stdout}\n{stderr}\n--- cockpit-ws and cockpit-bridge:\n{CockpitLog}");
        return stdout;
    }

    /// <summary>A directory for a script's screenshots under artifacts/cockpit/, made empty.</summary>
    public static string Screenshots(string name)
    {
        string shots = Path.Combine(Executable.RepositoryRoot, "artifacts", "cockpit", name);
        if (System.IO.Directory.Exists(shots))
        {
            System.IO.Directory.Delete(shots, recursive: true);
        }
        System.IO.Directory.CreateDirectory(shots);
        return shots;
    }

    public void Dispose()
    {
        Kill(_cockpit);
        Kill(_kvmd);
        _bus?.Dispose();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private void LogKvmd(string line) => Append(_kvmdLog, line);

    private static void Append(StringWriter log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Kill(Process? process)
    {
        if (process is null)
        {
            return;
        }

        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        process.Dispose();
    }
}
