namespace Kvm.Driver.Bench;

/// <summary>The measured calls: the three of issue 6, and Peer.Ping as the floor both servers share.</summary>
internal enum Workload
{
    /// <summary>org.freedesktop.DBus.Peer.Ping() at the Connect path: the transport floor (the bus library answers it).</summary>
    Ping,

    /// <summary>Connect.ListDomains(u 0) → ao (all 1,000 paths).</summary>
    ListDomains,

    /// <summary>Connect.DomainLookupByName(s) → o, names in a fixed-seed random order.</summary>
    LookupByName,

    /// <summary>Domain.GetXMLDesc(u 0) → s on a domain's path, domains in a fixed-seed random order.</summary>
    GetXmlDesc,
}
