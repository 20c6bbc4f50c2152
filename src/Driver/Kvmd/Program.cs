using System.CommandLine;
using Kvm.Driver.Logging;
using NLog;

namespace Kvm.Kvmd;

/// <summary>kvmd: the libvirt-dbus-compatible daemon (its D-Bus service arrives with issue 6).</summary>
public static class Program
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    public static int Main(string[] args)
    {
        var session = new Option<bool>("--session") { Description = "Serve the user's session bus" };
        var system = new Option<bool>("--system") { Description = "Serve the system bus" };
        var stateDir = new Option<DirectoryInfo?>("--state-dir") { Description = "Directory for persistent domain definitions" };
        var runtimeDir = new Option<DirectoryInfo?>("--runtime-dir") { Description = "Directory for runtime status and sockets" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log lifecycle events" };
        var debug = new Option<bool>("--debug") { Description = "Log every call" };

        var root = new RootCommand("kvmd: runs libvirt domains on the kvm-vmm monitor and serves the org.libvirt D-Bus API")
        {
            session, system, stateDir, runtimeDir, verbose, debug,
        };
        root.SetAction(parse =>
        {
            LoggingSetup.Configure("kvmd", LoggingSetup.LevelFor(parse.GetValue(verbose), parse.GetValue(debug)));
            s_log.Error("The D-Bus service is not implemented yet (issue 6)");
            Console.Error.WriteLine("kvmd: the daemon is not implemented yet; see README.md");
            return 2;
        });
        return root.Parse(args).Invoke();
    }
}
