namespace Kvm.Driver.NetInterfaces;

/// <summary>A host network interface as libvirt's udev interface backend sees it: name, MAC, MTU and link, active while its operstate is up.</summary>
public sealed record HostInterface(string Name, string Mac, uint Mtu, uint LinkSpeed, string? LinkState)
{
    public bool Active => LinkState == "up";
}
