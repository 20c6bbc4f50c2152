using System.Diagnostics;

namespace Kvm.DBus.Tests.Bus;

/// <summary>
/// A private dbus-daemon (Debian package dbus-daemon, pulled in by dbus) with a session-like config written to a
/// temporary directory, listening on a socket path and an abstract name; stopped by pid on dispose.
/// </summary>
internal sealed class DBusDaemon : IDisposable
{
    private const string Executable = "/usr/bin/dbus-daemon";
    private readonly Process _process;
    private readonly string _directory;

    private DBusDaemon(Process process, string directory, string address, string abstractName)
    {
        _process = process;
        _directory = directory;
        Address = address;
        AbstractAddress = "unix:abstract=" + abstractName;
    }

    /// <summary>The socket-path address dbus-daemon printed.</summary>
    public string Address { get; }

    public string AbstractAddress { get; }

    public string SocketPath => Path.Combine(_directory, "bus");

    public int Pid => _process.Id;

    public static DBusDaemon Start()
    {
        ExternalTool.Require(Executable, "dbus-daemon (or dbus)");
        string directory = Directory.CreateTempSubdirectory("kvm-dbus-").FullName;
        string abstractName = "kvm-dbus-test-" + Guid.NewGuid().ToString("N");
        string config = Path.Combine(directory, "session.conf");
        File.WriteAllText(config, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <keep_umask/>
              <listen>unix:path={Path.Combine(directory, "bus")}</listen>
              <listen>unix:abstract={abstractName}</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
              <limit name="reply_timeout">60000</limit>
            </busconfig>
            """);
        var start = new ProcessStartInfo(Executable)
        {
            ArgumentList = { "--config-file=" + config, "--nofork", "--nopidfile", "--print-address=1" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process = Process.Start(start) ?? throw new InvalidOperationException("dbus-daemon did not start");
        Task<string?> line = process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(10)) || string.IsNullOrEmpty(line.Result))
        {
            process.Kill();
            throw new InvalidOperationException("dbus-daemon printed no address: " + process.StandardError.ReadToEnd());
        }
        // The first printed alternative is the socket path; keep only that, the abstract one is tested on its own.
        string address = line.Result.Split(';')[0];
        return new DBusDaemon(process, directory, address, abstractName);
    }

    public void Dispose()
    {
        try
        {
            Process.GetProcessById(_process.Id).Kill();
            _process.WaitForExit(5000);
        }
        catch (ArgumentException)
        {
            // Already exited.
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
