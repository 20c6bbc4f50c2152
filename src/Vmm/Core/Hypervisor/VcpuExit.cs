namespace Kvm.Vmm.Hypervisor;

/// <summary>Why KVM_RUN returned (kvm_run.exit_reason, KVM_EXIT_*).</summary>
public enum VcpuExit : uint
{
    Unknown = 0,
    Exception = 1,
    Io = 2,
    Hypercall = 3,
    Debug = 4,
    Hlt = 5,
    Mmio = 6,
    IrqWindowOpen = 7,
    Shutdown = 8,
    FailEntry = 9,
    Interrupted = 10,
    SetTpr = 11,
    TprAccess = 12,
    Nmi = 16,
    InternalError = 17,
    SystemEvent = 24,
}
