using System.CommandLine;
using Kvm.Driver.Logging;

namespace Kvm.Kvmctl;

/// <summary>kvmctl: the user's command-line tool; virsh's verbs over kvmd's org.libvirt D-Bus API, and the XML engine.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log what is done", Recursive = true };
        var debug = new Option<bool>("--debug") { Description = "Log in detail", Recursive = true };
        var root = new RootCommand("kvmctl: define, inspect and control domains run by kvmd")
        {
            verbose,
            debug,
            GlobalOptions.Connect,
            GlobalOptions.Quiet,
            GlobalOptions.ObjectPath,
            XmlCommands.Create(),
            ListCommand.Create(),
            DomInfoCommand.Create(),
            ConsoleCommand.Create(),
        };
        foreach (Command command in DefineCommands.Create().Concat(LifecycleCommands.Create()).Concat(InfoCommands.Create()).Concat(BlockCommands.Create()))
        {
            root.Add(command);
        }
        var parse = root.Parse(args);
        LoggingSetup.Configure("kvmctl", LoggingSetup.LevelFor(parse.GetValue(verbose), parse.GetValue(debug)));
        return parse.Invoke();
    }
}
