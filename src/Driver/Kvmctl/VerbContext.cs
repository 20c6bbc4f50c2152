namespace Kvm.Kvmctl;

/// <summary>What a verb works with: the connected client, the output, and the cancellation of the command.</summary>
internal sealed record VerbContext(LibvirtClient Client, VirshOutput Output, CancellationToken CancellationToken)
{
    public Task<string> FindDomainAsync(string argument, LookupBy by = LookupBy.Any) =>
        DomainLookup.FindAsync(Client, argument, by, CancellationToken);
}
