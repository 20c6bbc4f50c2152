using System.CommandLine;
using Tmds.DBus.Protocol;

namespace Kvm.Kvmctl;

/// <summary>
/// start, shutdown, destroy, reboot, reset, suspend, resume, undefine and autostart, with virsh's messages: the
/// domain named as the user typed it, except start, which names the domain found (as virsh does).
/// </summary>
internal static class LifecycleCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Start();
        yield return Simple("shutdown", "Gracefully shut down a domain (ACPI power button)", "Shutdown", 0, "is being shutdown", "shutdown");
        yield return Simple("destroy", "Stop a domain at once", "Destroy", 0, "destroyed", "destroy");
        yield return Simple("reboot", "Reboot a domain (ACPI request)", "Reboot", 0, "is being rebooted", "reboot");
        yield return Simple("reset", "Reset a domain as the reset button does", "Reset", 0, "was reset", "reset");
        yield return Simple("suspend", "Pause a running domain", "Suspend", null, "suspended", "suspend");
        yield return Simple("resume", "Resume a paused domain", "Resume", null, "resumed", "resume");
        yield return Undefine();
        yield return Autostart();
    }

    private static Argument<string> DomainArgument() => new("DOMAIN") { Description = "Domain name, id or UUID" };

    private static Command Start()
    {
        Argument<string> domain = DomainArgument();
        var paused = new Option<bool>("--paused") { Description = "Leave the domain paused after starting it" };
        return VerbRunner.Verb("start", "Start a defined (inactive) domain", async (parse, context) =>
        {
            string path = await context.FindDomainAsync(parse.GetValue(domain)!).ConfigureAwait(false);
            DomainProperties properties = await context.Client.GetDomainPropertiesAsync(path, context.CancellationToken).ConfigureAwait(false);
            if (properties.Active)
            {
                throw new VirshErrorException("Domain is already active");
            }
            try
            {
                // VIR_DOMAIN_START_PAUSED
                await context.Client.CallWithFlagsAsync(path, "Create", parse.GetValue(paused) ? 1u : 0u, context.CancellationToken).ConfigureAwait(false);
            }
            catch (DBusErrorReplyException e)
            {
                throw new VirshErrorException($"Failed to start domain '{properties.Name}'", e);
            }
            context.Output.PrintExtra($"Domain '{properties.Name}' started\n");
        }, domain, paused);
    }

    private static Command Simple(string verb, string description, string member, uint? flags, string done, string failedVerb)
    {
        Argument<string> domain = DomainArgument();
        return VerbRunner.Verb(verb, description, async (parse, context) =>
        {
            string name = parse.GetValue(domain)!;
            string path = await context.FindDomainAsync(name).ConfigureAwait(false);
            try
            {
                Task call = flags is uint value
                    ? context.Client.CallWithFlagsAsync(path, member, value, context.CancellationToken)
                    : context.Client.CallWithoutArgumentsAsync(path, member, context.CancellationToken);
                await call.ConfigureAwait(false);
            }
            catch (DBusErrorReplyException e)
            {
                throw new VirshErrorException($"Failed to {failedVerb} domain '{name}'", e);
            }
            context.Output.PrintExtra($"Domain '{name}' {done}\n");
        }, domain);
    }

    /// <summary>undefine, with virsh's --nvram (remove a UEFI domain's variable store) and --keep-nvram.</summary>
    private static Command Undefine()
    {
        Argument<string> domain = DomainArgument();
        var nvram = new Option<bool>("--nvram") { Description = "Remove the domain's UEFI variable store too" };
        var keepNvram = new Option<bool>("--keep-nvram") { Description = "Keep the domain's UEFI variable store" };
        return VerbRunner.Verb("undefine", "Remove a domain's persistent definition", async (parse, context) =>
        {
            string name = parse.GetValue(domain)!;
            string path = await context.FindDomainAsync(name).ConfigureAwait(false);
            // VIR_DOMAIN_UNDEFINE_NVRAM, VIR_DOMAIN_UNDEFINE_KEEP_NVRAM
            uint flags = (parse.GetValue(nvram) ? 4u : 0) | (parse.GetValue(keepNvram) ? 8u : 0);
            try
            {
                await context.Client.CallWithFlagsAsync(path, "Undefine", flags, context.CancellationToken).ConfigureAwait(false);
            }
            catch (DBusErrorReplyException e)
            {
                throw new VirshErrorException($"Failed to undefine domain '{name}'", e);
            }

            context.Output.PrintExtra($"Domain '{name}' has been undefined\n");
        }, domain, nvram, keepNvram);
    }

    private static Command Autostart()
    {
        Argument<string> domain = DomainArgument();
        var disable = new Option<bool>("--disable") { Description = "Do not start the domain when kvmd starts" };
        return VerbRunner.Verb("autostart", "Start a domain when kvmd starts", async (parse, context) =>
        {
            string name = parse.GetValue(domain)!;
            bool enable = !parse.GetValue(disable);
            string path = await context.FindDomainAsync(name).ConfigureAwait(false);
            try
            {
                await context.Client.SetAutostartAsync(path, enable, context.CancellationToken).ConfigureAwait(false);
            }
            catch (DBusErrorReplyException e)
            {
                throw new VirshErrorException($"Failed to {(enable ? "mark" : "unmark")} domain '{name}' as autostarted", e);
            }
            context.Output.PrintExtra($"Domain '{name}' {(enable ? "marked" : "unmarked")} as autostarted\n");
        }, domain, disable);
    }
}
