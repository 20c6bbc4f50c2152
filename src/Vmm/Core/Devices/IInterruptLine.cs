namespace Kvm.Vmm.Devices;

/// <summary>An interrupt input of the machine's interrupt controllers (a GSI), driven by a device.</summary>
public interface IInterruptLine
{
    void Set(bool asserted);
}
