using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Kvm.Driver.Api;
using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Cockpit;

/// <summary>
/// Cockpit's Machines page (Debian's cockpit-machines) in headless Chromium against kvmd: a private dbus-daemon with
/// kvmd on it, <c>cockpit-ws --local-session=cockpit-bridge</c> on a loopback port whose bridge takes that bus as its
/// system bus (cockpit-machines talks to org.libvirt on the system bus for root), and cockpit_machines.py driving the
/// page through the DevTools protocol. Screenshots of each step go to artifacts/cockpit/.
/// </summary>
[TestFixture]
[Category("Cockpit")]
[CancelAfter(180_000)]
public sealed class CockpitMachinesTests
{
    private const string CockpitWs = "/usr/lib/cockpit/cockpit-ws";
    private const string CockpitBridge = "/usr/bin/cockpit-bridge";
    private const string MachinesManifest = "/usr/share/cockpit/machines/manifest.json";
    private const string Chromium = "/usr/bin/chromium";
    private const string Packages = "cockpit-ws cockpit-bridge cockpit-system cockpit-machines chromium python3-websocket";

    private PrivateBus? _bus;
    private Process? _kvmd;
    private Process? _cockpit;
    private string _directory = null!;
    private readonly StringWriter _cockpitLog = new();

    [SetUp]
    public async Task StartAsync()
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
            // For other users cockpit-machines also lists the session connection, which this test does not set up.
            Assert.Ignore("cockpit-machines shows only the system connection to root: run this test as root (CI does)");
        }

        _directory = Directory.CreateTempSubdirectory("kvmd-cockpit-").FullName;
        _bus = PrivateBus.Start();
        _kvmd = await BusDaemonProcess.StartAsync(Executable.Kvmd.Path, _bus.Address, TimeSpan.FromSeconds(30),
            ["--session", "--state-dir", Path.Combine(_directory, "state"), "--runtime-dir", Path.Combine(_directory, "run"),
                "--rpc-socket", Path.Combine(_directory, "virtqemud-sock")]);
    }

    [TearDown]
    public void Stop()
    {
        Kill(_cockpit);
        Kill(_kvmd);
        _bus?.Dispose();
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Test]
    public void MachinesPage_ListDetailsDeleteAndLiveDefine_ShowKvmdsDomains()
    {
        string disk = Path.Combine(_directory, "with-machine.qcow2");
        File.WriteAllBytes(disk, []);
        Define(CockpitDomains.WithMachine(disk));
        Define(CockpitDomains.WithoutMachine);

        int port = FreeLoopbackPort();
        StartCockpit(port);
        string shots = Path.Combine(Executable.RepositoryRoot, "artifacts", "cockpit");
        Directory.CreateDirectory(shots);

        string script = Path.Combine(AppContext.BaseDirectory, "Cockpit", "cockpit_machines.py");
        (int code, string stdout, string stderr) = ExternalTool.Run(null, TimeSpan.FromSeconds(150), ExternalTool.Python,
            script, Chromium, $"http://127.0.0.1:{port}/cockpit/@localhost/machines/index.html", _bus!.Address,
            LibvirtPaths.Connect, shots, disk);
        TestContext.Out.WriteLine(stdout);
        Assert.That((code, stdout.TrimEnd().Split('\n')[^1]), Is.EqualTo((0, "ok")),
            $"{stdout}\n{stderr}\n--- cockpit-ws and cockpit-bridge:\n{_cockpitLog}");
    }

    private void Define(string xml)
    {
        (int exit, string stdout, string stderr) = ExternalTool.Run(_bus!.Address, ExternalTool.GDBus, "call", "--session",
            "--dest", "org.libvirt", "--object-path", LibvirtPaths.Connect, "--method", "org.libvirt.Connect.DomainDefineXML", xml);
        Assert.That(exit, Is.EqualTo(0), $"DomainDefineXML failed: {stdout}{stderr}");
    }

    private void StartCockpit(int port)
    {
        var start = new ProcessStartInfo(CockpitWs)
        {
            ArgumentList = { "--no-tls", "--local-session=" + CockpitBridge, "--address", "127.0.0.1", "--port", port.ToString() },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The bridge inherits this environment: org.libvirt on its "system" bus is kvmd on the private bus.
        start.Environment["DBUS_SYSTEM_BUS_ADDRESS"] = _bus!.Address;
        start.Environment["DBUS_SESSION_BUS_ADDRESS"] = _bus.Address;
        _cockpit = Process.Start(start) ?? throw new InvalidOperationException("cockpit-ws did not start");
        _cockpit.OutputDataReceived += (_, e) => Log(e.Data);
        _cockpit.ErrorDataReceived += (_, e) => Log(e.Data);
        _cockpit.BeginOutputReadLine();
        _cockpit.BeginErrorReadLine();

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

        Assert.Fail($"cockpit-ws did not listen on 127.0.0.1:{port} within 20 s:\n{_cockpitLog}");
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_cockpitLog)
            {
                _cockpitLog.WriteLine(line);
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
