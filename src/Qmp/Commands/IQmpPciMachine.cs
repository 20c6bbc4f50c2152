namespace Kvm.Qmp.Commands;

/// <summary>A machine with a PCI bus; query-pci asks the <see cref="IQmpMachine"/> for it and answers [] without one.</summary>
public interface IQmpPciMachine
{
    IReadOnlyList<QmpPciInfo> QueryPci();
}
