using Tmds.DBus.Protocol;

namespace Kvm.Driver.Api;

/// <summary>
/// The libvirt side of one org.libvirt interface (Connect, Domain). <see cref="LibvirtObjectHandler"/> has already
/// checked interface, member and signature against <see cref="Interface"/>; failures are DomainOperationExceptions,
/// which become org.libvirt.Error replies.
/// </summary>
internal interface ILibvirtObject
{
    LibvirtInterface Interface { get; }

    /// <summary>One property's value (Properties.Get, wrapped once); throws when libvirt's getter would fail.</summary>
    VariantValue GetProperty(string path, string name);

    /// <summary>The properties that can be read now, in interface order (GetAll skips the failing ones).</summary>
    IEnumerable<KeyValuePair<string, VariantValue>> GetAllProperties(string path);

    /// <summary>Sets a writable property; <paramref name="value"/> is positioned at a value already checked to have the declared type.</summary>
    void SetProperty(string path, string name, ref Reader value);

    /// <summary>Handles a method call of <see cref="Interface"/> with the right signature; must reply.</summary>
    ValueTask CallAsync(MethodContext context, LibvirtCall call);
}
