using System.CommandLine;

namespace Kvm.Kvmctl;

/// <summary>
/// <c>console NAME</c>: attaches the terminal to the running domain's serial console, the pty its live XML names
/// (<c>&lt;serial type='pty'&gt;&lt;source path='/dev/pts/N'/&gt;</c>), in raw mode until Ctrl-], as virsh console does.
/// </summary>
internal static class ConsoleCommand
{
    private const int Running = 1, Paused = 3;

    public static Command Create()
    {
        var domain = new Argument<string>("DOMAIN") { Description = "Domain name, id or UUID" };
        return VerbRunner.Verb("console", "Connect to a running domain's serial console (leave with Ctrl-])", async (parse, context) =>
        {
            string path = await context.FindDomainAsync(parse.GetValue(domain)!).ConfigureAwait(false);
            DomainProperties properties = await context.Client.GetDomainPropertiesAsync(path, context.CancellationToken).ConfigureAwait(false);
            (int state, _) = await context.Client.GetStateAsync(path, context.CancellationToken).ConfigureAwait(false);
            if (state is not (Running or Paused))
            {
                throw new VirshErrorException("The domain is not running");
            }
            string xml = await context.Client.GetXmlDescAsync(path, 0, context.CancellationToken).ConfigureAwait(false);
            string? pty = DomainXmlFacts.Parse(xml).ConsolePty(out bool hasPtyDevice);
            if (pty is null)
            {
                throw new VirshErrorException(hasPtyDevice
                    ? $"The serial console of domain '{properties.Name}' has no pty path in its live XML"
                    : $"Domain '{properties.Name}' has no serial console of type pty");
            }
            FileStream console;
            try
            {
                console = new FileStream(pty, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VirshErrorException($"Cannot open the console of domain '{properties.Name}' at {pty}", e.Message);
            }
            await using (console.ConfigureAwait(false))
            {
                context.Output.PrintExtra($"Connected to domain '{properties.Name}'\nEscape character is ^] (Ctrl + ])\n");
                Console.Out.Flush();
                using (TerminalRawMode.Enter())
                {
                    using Stream input = Console.OpenStandardInput();
                    using Stream output = Console.OpenStandardOutput();
                    await new ConsoleRelay(console, input, output).RunAsync(context.CancellationToken).ConfigureAwait(false);
                }
            }
        }, domain);
    }
}
