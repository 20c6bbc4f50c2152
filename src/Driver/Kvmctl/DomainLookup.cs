using System.Globalization;
using Kvm.Driver.Api;
using Tmds.DBus.Protocol;

namespace Kvm.Kvmctl;

/// <summary>
/// virsh's <c>virshLookupDomainBy</c>: a non-negative integer is tried as an id, a 36-character string as a UUID,
/// then anything as a name; the lookups' own errors are dropped and only "failed to get domain 'x'" is reported.
/// </summary>
internal static class DomainLookup
{
    private const int UuidStringLength = 36;

    public static async Task<string> FindAsync(LibvirtClient client, string argument, LookupBy by, CancellationToken cancellationToken)
    {
        if ((by & LookupBy.Id) != 0 && int.TryParse(argument, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int id) && id >= 0)
        {
            string? path = await TryAsync(() => client.LookupByIdAsync(id, cancellationToken)).ConfigureAwait(false);
            if (path is not null)
            {
                return path;
            }
        }
        if ((by & LookupBy.Uuid) != 0 && argument.Length == UuidStringLength)
        {
            string? path = await TryAsync(() => client.LookupByUuidAsync(argument, cancellationToken)).ConfigureAwait(false);
            if (path is not null)
            {
                return path;
            }
        }
        if ((by & LookupBy.Name) != 0)
        {
            string? path = await TryAsync(() => client.LookupByNameAsync(argument, cancellationToken)).ConfigureAwait(false);
            if (path is not null)
            {
                return path;
            }
        }
        throw new VirshErrorException($"failed to get domain '{argument}'");
    }

    private static async Task<string?> TryAsync(Func<Task<string>> lookup)
    {
        try
        {
            return await lookup().ConfigureAwait(false);
        }
        catch (DBusErrorReplyException e) when (e.ErrorName is LibvirtClient.LibvirtError or DBusErrorNames.InvalidArgs)
        {
            return null; // not this way; virsh resets the error and tries the next
        }
    }
}
