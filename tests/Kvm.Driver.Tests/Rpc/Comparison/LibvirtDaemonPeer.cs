using System.Diagnostics;
using System.Net.Sockets;
using Kvm.Driver.Tests.Api;

namespace Kvm.Driver.Tests.Rpc.Comparison;

/// <summary>
/// Debian's real libvirt daemon with its QEMU driver, as a private unprivileged instance: virtqemud where the
/// distribution ships it (Debian 13's libvirt-daemon-driver-qemu), else libvirtd (Debian 12's libvirt-daemon, whose
/// libvirt 9.0 builds no modular daemons), run as the user nobody (a session daemon: qemu:///session) with its
/// runtime, configuration and cache directories in a temporary directory, reached with qemu:///session?socket=PATH.
/// </summary>
internal sealed class LibvirtDaemonPeer : IAsyncDisposable
{
    private const string Virtqemud = "/usr/sbin/virtqemud";
    private const string Libvirtd = "/usr/sbin/libvirtd";
    private const string Setpriv = "/usr/bin/setpriv";
    private readonly Process _process;
    private readonly string _root;

    private LibvirtDaemonPeer(Process process, string root, string socket)
    {
        _process = process;
        _root = root;
        Socket = socket;
    }

    /// <summary>The daemon's read-write socket.</summary>
    public string Socket { get; }

    public string Uri => "qemu:///session?socket=" + Socket;

    /// <summary>The daemon's executable, or the test is ignored saying what to install.</summary>
    public static string Require()
    {
        string? daemon = File.Exists(Virtqemud) ? Virtqemud : File.Exists(Libvirtd) ? Libvirtd : null;
        if (daemon is null)
        {
            Assert.Ignore($"Neither {Virtqemud} nor {Libvirtd} is installed: the comparison runs libvirt's own daemon; install the Debian package "
                + "libvirt-daemon-driver-qemu (Debian 13) or libvirt-daemon (Debian 12)");
        }
        ExternalTool.Require(Setpriv, "util-linux");
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("Needs root, to run libvirt's daemon as the user nobody (an unprivileged session instance beside ours)");
        }
        return daemon;
    }

    public static async Task<LibvirtDaemonPeer> StartAsync()
    {
        string daemon = Require();
        string root = Path.Combine(Path.GetTempPath(), $"libvirt-peer-{Environment.ProcessId}-{Guid.NewGuid():N}");
        string[] dirs = ["run", "config", "cache", "home"];
        foreach (string dir in dirs)
        {
            Directory.CreateDirectory(Path.Combine(root, dir));
        }
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        (int chown, _, string error) = ExternalTool.Run(null, "/bin/chown", ["-R", "nobody:nogroup", .. dirs.Select(d => Path.Combine(root, d))]);
        Assert.That(chown, Is.Zero, error);

        var start = new ProcessStartInfo(Setpriv) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", daemon, "--timeout", "0" })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        start.Environment["HOME"] = Path.Combine(root, "home");
        start.Environment["XDG_RUNTIME_DIR"] = Path.Combine(root, "run");
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(root, "config");
        start.Environment["XDG_CACHE_HOME"] = Path.Combine(root, "cache");
        start.Environment["XDG_DATA_HOME"] = Path.Combine(root, "home");
        Process process = Process.Start(start) ?? throw new InvalidOperationException($"{daemon} did not start");
        _ = process.StandardOutput.ReadToEndAsync();
        Task<string> log = process.StandardError.ReadToEndAsync();
        string socket = Path.Combine(root, "run", "libvirt", daemon == Virtqemud ? "virtqemud-sock" : "libvirt-sock");
        var peer = new LibvirtDaemonPeer(process, root, socket);
        // Ready when the socket answers (it probes QEMU's capabilities first): a readiness wait, not a timing assertion.
        for (int attempt = 0; attempt < 600 && !process.HasExited; attempt++)
        {
            if (Answers(socket))
            {
                return peer;
            }
            await Task.Delay(100);
        }
        await peer.DisposeAsync();
        throw new InvalidOperationException($"{daemon} did not answer on {socket}: {(process.HasExited ? await log : "still starting after 60 s")}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private static bool Answers(string socket)
    {
        if (!File.Exists(socket))
        {
            return false;
        }
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(socket));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
