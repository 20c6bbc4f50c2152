using System.CommandLine;

namespace Kvm.Kvmctl;

/// <summary>
/// <c>list</c>: virsh's table of Id, Name and State (or names / UUIDs alone), active domains by id first, then
/// inactive ones by name, case-insensitively (virshDomainSorter).
/// </summary>
internal static class ListCommand
{
    // virConnectListAllDomainsFlags
    private const uint Active = 1, Inactive = 2;

    public static Command Create()
    {
        var all = new Option<bool>("--all") { Description = "List inactive and active domains" };
        var inactive = new Option<bool>("--inactive") { Description = "List inactive domains" };
        var name = new Option<bool>("--name") { Description = "List domain names only" };
        var uuid = new Option<bool>("--uuid") { Description = "List UUIDs only" };
        return VerbRunner.Verb("list", "List domains (the running ones unless --all or --inactive)", async (parse, context) =>
        {
            uint flags = parse.GetValue(all) ? 0 : parse.GetValue(inactive) ? Inactive : Active;
            var rows = new List<(DomainProperties Domain, int State)>();
            foreach (string path in await context.Client.ListDomainsAsync(flags, context.CancellationToken).ConfigureAwait(false))
            {
                DomainProperties domain = await context.Client.GetDomainPropertiesAsync(path, context.CancellationToken).ConfigureAwait(false);
                if (domain.Name.Length == 0)
                {
                    continue; // vanished since the listing (GetAll of a missing domain is empty)
                }
                (int state, _) = await context.Client.GetStateAsync(path, context.CancellationToken).ConfigureAwait(false);
                rows.Add((domain, state));
            }
            rows.Sort((a, b) => Compare(a.Domain, b.Domain));
            Print(context.Output, rows, parse.GetValue(name), parse.GetValue(uuid));
        }, all, inactive, name, uuid);
    }

    private static void Print(VirshOutput output, List<(DomainProperties Domain, int State)> rows, bool names, bool uuids)
    {
        if (names || uuids)
        {
            foreach ((DomainProperties domain, _) in rows)
            {
                output.Print(names && uuids ? $"{domain.Uuid} {domain.Name}\n" : uuids ? domain.Uuid + "\n" : domain.Name + "\n");
            }
            return;
        }
        var table = new VirshTable("Id", "Name", "State");
        foreach ((DomainProperties domain, int state) in rows)
        {
            table.AddRow(domain.IdText, domain.Name, DomainStateText.State(state));
        }
        output.Print(table.Format(header: !output.Quiet));
    }

    private static int Compare(DomainProperties a, DomainProperties b) => (a.Active, b.Active) switch
    {
        (true, true) => a.Id.CompareTo(b.Id),
        (false, false) => string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase),
        (true, false) => -1,
        (false, true) => 1,
    };
}
