namespace Kvm.Driver.Domains;

/// <summary>virDomainInterface: the host-side name of one interface (empty when it has none), its MAC and addresses.</summary>
public sealed record DomainInterfaceAddresses(string Name, string? Mac, IReadOnlyList<DomainIpAddress> Addresses);
