namespace Kvm.Driver.Api;

/// <summary>The bus name kvmd serves (org.libvirt) is owned by another connection (libvirt-dbus, another kvmd).</summary>
public sealed class BusNameTakenException : Exception
{
    public BusNameTakenException(string busName, string owner)
        : base($"The bus name {busName} is already owned by {owner}")
    {
        BusName = busName;
        Owner = owner;
    }

    public string BusName { get; }

    public string Owner { get; }
}
