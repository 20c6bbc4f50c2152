using System.CommandLine;
using Tmds.DBus.Protocol;
using NLog;

namespace Kvm.Kvmctl;

/// <summary>
/// Runs one D-Bus verb as virsh runs a command: connect, do it, print "error: " lines for a failure, end with the
/// empty line, exit 1 on failure and 0 on success.
/// </summary>
internal static class VerbRunner
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    public static Command Verb(string name, string description, Func<ParseResult, VerbContext, Task> body, params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (Symbol symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Add(argument);
                    break;
                case Option option:
                    command.Add(option);
                    break;
            }
        }
        command.SetAction((parse, cancellationToken) => RunAsync(parse, body, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, Func<ParseResult, VerbContext, Task> body, CancellationToken cancellationToken)
    {
        var output = new VirshOutput(Console.Out, Console.Error, parse.GetValue(GlobalOptions.Quiet));
        int exit = 0;
        try
        {
            BusTarget target = BusTarget.Resolve(parse.GetValue(GlobalOptions.Connect), parse.GetValue(GlobalOptions.ObjectPath));
            s_log.Debug("Using {Bus} bus at {Address}, Connect object {Path}", target.IsSystem ? "system" : "session", target.Address, target.ConnectPath);
            await using LibvirtClient client = await LibvirtClient.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
            await body(parse, new VerbContext(client, output, cancellationToken)).ConfigureAwait(false);
        }
        catch (VirshErrorException e)
        {
            foreach (string line in e.Lines)
            {
                output.Error(line);
            }
            exit = 1;
        }
        catch (DBusErrorReplyException e)
        {
            output.Error(LibvirtClient.MessageOf(e));
            exit = 1;
        }
        catch (DBusConnectionException e)
        {
            output.Error("Disconnected from the bus: " + e.Message);
            exit = 1;
        }
        output.EndCommand();
        return exit;
    }
}
