namespace Kvm.DBus.Service;

/// <summary>The access attribute of a property in introspection data.</summary>
public enum PropertyAccess
{
    Read,
    Write,
    ReadWrite,
}
