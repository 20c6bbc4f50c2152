using Kvm.DBus.Protocol;

namespace Kvm.DBus.Service;

/// <summary>
/// One interface of an exported object. <see cref="ObjectHandler"/> checks member and signature against
/// <see cref="Description"/> before calling <see cref="HandleMethodAsync"/>, which dispatches with a
/// <c>switch</c> on the member; no reflection.
/// </summary>
public interface IDBusInterface
{
    InterfaceDescription Description { get; }

    ValueTask HandleMethodAsync(MethodContext context);

    /// <summary>Writes the property's value as a VARIANT (signature then value); false when unknown at this path.</summary>
    bool TryWriteProperty(string path, string name, ref MessageWriter writer);

    /// <summary>Sets a writable property from a value of its declared type, read from <paramref name="reader"/>.</summary>
    PropertySetResult TrySetProperty(string path, string name, ref Reader reader);
}
