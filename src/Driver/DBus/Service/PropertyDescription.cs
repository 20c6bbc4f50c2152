namespace Kvm.DBus.Service;

/// <summary>A property: name, type, access, and whether changes are announced with PropertiesChanged.</summary>
public sealed record PropertyDescription(string Name, string Signature, PropertyAccess Access, bool EmitsChanged = true)
{
    public bool IsReadable => Access != PropertyAccess.Write;

    public bool IsWritable => Access != PropertyAccess.Read;
}
