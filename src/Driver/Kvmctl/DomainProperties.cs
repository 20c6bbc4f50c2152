using Tmds.DBus.Protocol;

namespace Kvm.Kvmctl;

/// <summary>org.libvirt.Domain's properties as GetAll returns them (each value wrapped twice, by libvirt-dbus's convention).</summary>
internal sealed record DomainProperties(string Name, string Uuid, uint Id, bool Active, bool Persistent, bool Autostart, string OsType)
{
    public static DomainProperties From(IReadOnlyDictionary<string, VariantValue> values)
    {
        T Get<T>(string key, T fallback) =>
            values.TryGetValue(key, out VariantValue value) && LibvirtClient.ScalarOf(value) is T typed ? typed : fallback;

        return new DomainProperties(Get("Name", ""), Get("UUID", ""), Get("Id", 0u), Get("Active", false),
            Get("Persistent", false), Get("Autostart", false), Get("OSType", ""));
    }

    /// <summary>virsh's id column and <c>domid</c>: "-" for an inactive domain (libvirt-dbus says 0 where libvirt says -1).</summary>
    public string IdText => Active ? Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-";
}
