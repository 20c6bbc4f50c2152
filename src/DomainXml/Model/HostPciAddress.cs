namespace Kvm.DomainXml.Model;

/// <summary>A host PCI device address (<c>&lt;address domain bus slot function&gt;</c>); attributes left out are 0.</summary>
public readonly record struct HostPciAddress(uint Domain, uint Bus, uint Slot, uint Function)
{
    /// <summary>libvirt's form: <c>0000:01:00.0</c>.</summary>
    public override string ToString() => $"{Domain:x4}:{Bus:x2}:{Slot:x2}.{Function:x1}";
}
