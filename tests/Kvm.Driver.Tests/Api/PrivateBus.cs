using System.Diagnostics;

namespace Kvm.Driver.Tests.Api;

/// <summary>
/// A private dbus-daemon (Debian package dbus-daemon) with a session-like config and no service directories, so
/// nothing is bus-activated (neither the installed libvirt-dbus nor kvmd): whatever owns org.libvirt was started
/// by the test. Stopped by pid on dispose.
/// </summary>
internal sealed class PrivateBus : IDisposable
{
    private const string Executable = "/usr/bin/dbus-daemon";
    private readonly Process _process;
    private readonly string _directory;

    private PrivateBus(Process process, string directory, string address)
    {
        _process = process;
        _directory = directory;
        Address = address;
    }

    public string Address { get; }

    public static PrivateBus Start()
    {
        ExternalTool.Require(Executable, "dbus-daemon (or dbus)");
        string directory = Directory.CreateTempSubdirectory("kvmd-api-bus-").FullName;
        string config = Path.Combine(directory, "session.conf");
        File.WriteAllText(config, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <listen>unix:path={Path.Combine(directory, "bus")}</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
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
        return new PrivateBus(process, directory, line.Result.Trim());
    }

    public void Dispose()
    {
        try
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
