namespace Kvm.Driver.Bench;

/// <summary>One generated definition: its name, uuid and the XML given to DomainDefineXML.</summary>
internal sealed record DomainDefinition(string Name, string Uuid, string Xml)
{
    /// <summary>libvirt-dbus's object path for this domain under a driver's Connect path.</summary>
    public string ObjectPath(string connectPath) => $"{connectPath}/domain/_{Uuid.Replace('-', '_')}";
}
