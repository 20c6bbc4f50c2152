namespace Kvm.Driver.Vmm;

/// <summary>Which VMM the supervisor runs and its time limits (from the daemon's <see cref="Domains.DomainManagerOptions"/>).</summary>
internal sealed record VmmSupervisorOptions(string VmmPath, TimeSpan ConnectTimeout, TimeSpan CommandTimeout, TimeSpan DestroyGracePeriod, TimeSpan KillTimeout)
{
    public static VmmSupervisorOptions From(Domains.DomainManagerOptions options) =>
        new(options.VmmPath, options.ConnectTimeout, options.CommandTimeout, options.DestroyGracePeriod, options.KillTimeout);
}
