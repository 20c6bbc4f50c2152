using System.CommandLine;
using System.Globalization;
using Kvm.Driver.Api;
using Tmds.DBus.Protocol;

namespace Kvm.Kvmctl;

/// <summary>
/// <c>dominfo</c>: virsh's labels padded to 15 columns and a space. virDomainGetInfo's fields come from GetState and
/// GetStats (cpu.time, balloon, vcpu.current), falling back to GetVcpus and the XML where a driver has no such stats
/// (libvirt's test driver); the security label from GetSecurityLabelList, which D-Bus has instead of GetSecurityLabel.
/// </summary>
internal static class DomInfoCommand
{
    // virDomainStatsTypes: state | cpu-total | balloon | vcpu.
    private const uint StatsGroups = 1 | 2 | 4 | 8;
    private const string NotSupported = "this function is not supported by the connection driver";

    public static Command Create()
    {
        var domain = new Argument<string>("DOMAIN") { Description = "Domain name, id or UUID" };
        return VerbRunner.Verb("dominfo", "Print basic information about a domain", async (parse, context) =>
        {
            LibvirtClient client = context.Client;
            CancellationToken token = context.CancellationToken;
            string path = await context.FindDomainAsync(parse.GetValue(domain)!).ConfigureAwait(false);
            DomainProperties properties = await client.GetDomainPropertiesAsync(path, token).ConfigureAwait(false);
            var output = context.Output;
            output.Print(Line("Id:", properties.IdText));
            output.Print(Line("Name:", properties.Name));
            output.Print(Line("UUID:", properties.Uuid));
            if (properties.OsType.Length > 0)
            {
                output.Print(Line("OS Type:", properties.OsType));
            }

            DBusErrorReplyException? infoFailure = null;
            try
            {
                await PrintInfoAsync(client, path, output, token).ConfigureAwait(false);
            }
            catch (DBusErrorReplyException e)
            {
                infoFailure = e; // as virsh: the rest is still printed, the command fails at the end
            }

            output.Print(Line("Persistent:", properties.Persistent ? "yes" : "no"));
            output.Print(Line("Autostart:", properties.Autostart ? "enable" : "disable"));
            bool? managedSave = await TryValueAsync(() => client.HasManagedSaveImageAsync(path, token)).ConfigureAwait(false);
            output.Print(Line("Managed save:", managedSave switch { true => "yes", false => "no", null => "unknown" }));
            await PrintSecurityAsync(client, path, output, token).ConfigureAwait(false);
            if (infoFailure is not null)
            {
                throw infoFailure;
            }
        }, domain);
    }

    private static string Line(string label, string value) => $"{label,-15} {value}\n";

    private static async Task PrintInfoAsync(LibvirtClient client, string path, VirshOutput output, CancellationToken token)
    {
        (int state, _) = await client.GetStateAsync(path, token).ConfigureAwait(false);
        Dictionary<string, VariantValue> stats = await TryObjectAsync<Dictionary<string, VariantValue>>(async () => await client.GetStatsAsync(path, StatsGroups, token).ConfigureAwait(false)).ConfigureAwait(false) ?? [];
        DomainXmlFacts? xml = null;
        async Task<DomainXmlFacts?> XmlAsync() =>
            xml ??= await TryObjectAsync<DomainXmlFacts>(async () => DomainXmlFacts.Parse(await client.GetXmlDescAsync(path, 0, token).ConfigureAwait(false))).ConfigureAwait(false);

        uint vcpus = Number(stats, "vcpu.current") is ulong current ? (uint)current
            : await TryValueAsync(() => client.GetVcpusAsync(path, 0, token)).ConfigureAwait(false)
              ?? (await XmlAsync().ConfigureAwait(false))?.Vcpus ?? 0;
        output.Print(Line("State:", DomainStateText.State(state)));
        output.Print(Line("CPU(s):", vcpus.ToString(CultureInfo.InvariantCulture)));
        if (Number(stats, "cpu.time") is ulong cpuTime and not 0)
        {
            output.Print(Line("CPU time:", (cpuTime / 1e9).ToString("F1", CultureInfo.InvariantCulture) + "s"));
        }
        ulong maxMemory = Number(stats, "balloon.maximum") ?? (await XmlAsync().ConfigureAwait(false))?.MaxMemoryKiB ?? 0;
        ulong memory = Number(stats, "balloon.current") ?? (await XmlAsync().ConfigureAwait(false))?.CurrentMemoryKiB ?? 0;
        output.Print(Line("Max memory:", maxMemory.ToString(CultureInfo.InvariantCulture) + " KiB"));
        output.Print(Line("Used memory:", memory.ToString(CultureInfo.InvariantCulture) + " KiB"));
    }

    private static async Task PrintSecurityAsync(LibvirtClient client, string path, VirshOutput output, CancellationToken token)
    {
        (string Model, string Doi) model;
        try
        {
            model = await client.NodeGetSecurityModelAsync(token).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException e) when (IsNotSupported(e))
        {
            return; // virsh resets VIR_ERR_NO_SUPPORT and prints no security lines
        }
        if (model.Model.Length == 0)
        {
            return;
        }
        output.Print(Line("Security model:", model.Model));
        output.Print(Line("Security DOI:", model.Doi));
        IReadOnlyList<(string Label, bool Enforcing)> labels;
        try
        {
            labels = await client.GetSecurityLabelListAsync(path, token).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException e) when (IsNotSupported(e))
        {
            return; // libvirt's test driver has GetSecurityLabel but not the list D-Bus offers
        }
        if (labels.Count > 0 && labels[0].Label.Length > 0)
        {
            output.Print(Line("Security label:", $"{labels[0].Label} ({(labels[0].Enforcing ? "enforcing" : "permissive")})"));
        }
    }

    private static bool IsNotSupported(DBusErrorReplyException e) =>
        e.ErrorName == DBusErrorNames.UnknownMethod ||
        (e.ErrorName == LibvirtClient.LibvirtError && e.ErrorMessage?.StartsWith(NotSupported, StringComparison.Ordinal) == true);

    private static ulong? Number(Dictionary<string, VariantValue> stats, string key) =>
        stats.TryGetValue(key, out VariantValue value) ? LibvirtClient.ScalarOf(value) switch
        {
            ulong u => u,
            uint u => u,
            long l when l >= 0 => (ulong)l,
            int i when i >= 0 => (ulong)i,
            _ => null,
        } : null;

    /// <summary>An optional piece of information: null when the daemon cannot give it.</summary>
    private static async Task<T?> TryValueAsync<T>(Func<Task<T>> call) where T : struct
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (DBusErrorReplyException)
        {
            return null;
        }
    }

    private static async Task<T?> TryObjectAsync<T>(Func<Task<T?>> call) where T : class
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is DBusErrorReplyException or System.Xml.XmlException)
        {
            return null;
        }
    }
}
