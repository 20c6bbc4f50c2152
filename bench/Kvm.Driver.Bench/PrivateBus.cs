using System.Diagnostics;

namespace Kvm.Driver.Bench;

/// <summary>
/// A private dbus-daemon listening in <paramref name="directory"/>, with no service directories (nothing is
/// activated, so only the server we start can own org.libvirt), killed by pid when disposed.
/// </summary>
internal sealed class PrivateBus : IDisposable
{
    private readonly Process _process;

    private PrivateBus(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    public string Address { get; }

    public static PrivateBus Start(string directory)
    {
        Directory.CreateDirectory(directory);
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
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process = Process.Start(start) ?? throw new InvalidOperationException("dbus-daemon did not start (apt-get install dbus)");
        process.BeginErrorReadLine(); // "Failed to set fd limit" and the like: drained and dropped
        string address = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("dbus-daemon printed no address");
        return new PrivateBus(process, address.Split(';')[0]);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}
