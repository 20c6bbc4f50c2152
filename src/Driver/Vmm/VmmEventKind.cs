namespace Kvm.Driver.Vmm;

/// <summary>What a kvm-vmm process can tell kvmd: its QMP lifecycle events and its exit.</summary>
public enum VmmEventKind
{
    Stop,
    Resume,
    Shutdown,
    Reset,
    Powerdown,
    Exited,
}
