namespace Kvm.Qmp.Commands;

/// <summary>A machine whose devices have QOM ids: qom-list of /machine/peripheral shows them as QEMU does (<c>child&lt;TYPE&gt;</c>).</summary>
public interface IQmpQomMachine
{
    /// <summary>The devices under /machine/peripheral: name is the id, type <c>child&lt;virtio-blk-pci&gt;</c> and so on.</summary>
    IReadOnlyList<QmpObjectPropertyInfo> Peripherals { get; }
}
