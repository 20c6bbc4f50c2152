using System.Diagnostics;

namespace Kvm.DBus.Bench;

/// <summary>A private dbus-daemon on a socket in a temporary directory, killed by pid when disposed.</summary>
internal sealed class PrivateBus : IDisposable
{
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
        string directory = Directory.CreateTempSubdirectory("kvm-dbus-bench-").FullName;
        string config = Path.Combine(directory, "bus.conf");
        File.WriteAllText(config, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <listen>unix:path={directory}/bus</listen>
              <auth>EXTERNAL</auth>
              <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
            </busconfig>
            """);
        var start = new ProcessStartInfo("/usr/bin/dbus-daemon")
        {
            ArgumentList = { "--config-file=" + config, "--nofork", "--nopidfile", "--print-address=1" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        Process process = Process.Start(start) ?? throw new InvalidOperationException("dbus-daemon did not start (apt-get install dbus)");
        string address = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("dbus-daemon printed no address");
        return new PrivateBus(process, directory, address.Split(';')[0]);
    }

    public void Dispose()
    {
        _process.Kill();
        _process.WaitForExit(5000);
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
