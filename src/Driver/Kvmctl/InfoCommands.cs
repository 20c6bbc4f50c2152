using System.CommandLine;
using System.Globalization;

namespace Kvm.Kvmctl;

/// <summary>dumpxml, domstate, domid, domname, domuuid and version, printed as virsh prints them.</summary>
internal static class InfoCommands
{
    // virDomainXMLFlags
    private const uint XmlSecure = 1, XmlInactive = 2, XmlMigratable = 8;

    public static IEnumerable<Command> Create()
    {
        yield return DumpXml();
        yield return DomState();
        yield return Identity("domid", "Print a domain's id (\"-\" when inactive)", LookupBy.Name | LookupBy.Uuid, d => d.IdText);
        yield return Identity("domname", "Print a domain's name", LookupBy.Id | LookupBy.Uuid, d => d.Name);
        yield return Identity("domuuid", "Print a domain's UUID", LookupBy.Id | LookupBy.Name, d => d.Uuid);
        yield return Version();
    }

    private static Argument<string> DomainArgument() => new("DOMAIN") { Description = "Domain name, id or UUID" };

    private static Command DumpXml()
    {
        Argument<string> domain = DomainArgument();
        var inactive = new Option<bool>("--inactive") { Description = "The definition used at the next start, not the running one" };
        var security = new Option<bool>("--security-info") { Description = "Include security-sensitive data (passwords)" };
        var migratable = new Option<bool>("--migratable") { Description = "XML suitable for migration" };
        return VerbRunner.Verb("dumpxml", "Print a domain's XML", async (parse, context) =>
        {
            uint flags = (parse.GetValue(inactive) ? XmlInactive : 0) | (parse.GetValue(security) ? XmlSecure : 0)
                | (parse.GetValue(migratable) ? XmlMigratable : 0);
            string path = await context.FindDomainAsync(parse.GetValue(domain)!).ConfigureAwait(false);
            context.Output.Print(await context.Client.GetXmlDescAsync(path, flags, context.CancellationToken).ConfigureAwait(false));
        }, domain, inactive, security, migratable);
    }

    private static Command DomState()
    {
        Argument<string> domain = DomainArgument();
        var reason = new Option<bool>("--reason") { Description = "Also print the reason for the state" };
        return VerbRunner.Verb("domstate", "Print a domain's state", async (parse, context) =>
        {
            string path = await context.FindDomainAsync(parse.GetValue(domain)!).ConfigureAwait(false);
            (int state, int why) = await context.Client.GetStateAsync(path, context.CancellationToken).ConfigureAwait(false);
            context.Output.Print(parse.GetValue(reason)
                ? $"{DomainStateText.State(state)} ({DomainStateText.Reason(state, why)})\n"
                : DomainStateText.State(state) + "\n");
        }, domain, reason);
    }

    private static Command Identity(string verb, string description, LookupBy by, Func<DomainProperties, string> select)
    {
        Argument<string> domain = DomainArgument();
        return VerbRunner.Verb(verb, description, async (parse, context) =>
        {
            string path = await context.FindDomainAsync(parse.GetValue(domain)!, by).ConfigureAwait(false);
            DomainProperties properties = await context.Client.GetDomainPropertiesAsync(path, context.CancellationToken).ConfigureAwait(false);
            context.Output.Print(select(properties) + "\n");
        }, domain);
    }

    private static Command Version() =>
        VerbRunner.Verb("version", "Print the versions of the daemon's library and hypervisor", async (_, context) =>
        {
            ulong library = (ulong)LibvirtClient.ScalarOf(await context.Client.GetConnectPropertyAsync("LibVersion", context.CancellationToken)
                .ConfigureAwait(false))!;
            ulong hypervisor = (ulong)LibvirtClient.ScalarOf(await context.Client.GetConnectPropertyAsync("Version", context.CancellationToken)
                .ConfigureAwait(false))!;
            string driver = context.Client.ConnectPath[(context.Client.ConnectPath.LastIndexOf('/') + 1)..].ToUpperInvariant();
            context.Output.Print($"Using library: libvirt {FormatVersion(library)}\n");
            context.Output.Print($"Running hypervisor: {driver} {FormatVersion(hypervisor)}\n");
        });

    /// <summary>libvirt's version number major * 1,000,000 + minor * 1,000 + micro as "major.minor.micro".</summary>
    public static string FormatVersion(ulong version) =>
        string.Create(CultureInfo.InvariantCulture, $"{version / 1000000}.{version / 1000 % 1000}.{version % 1000}");
}
