using Kvm.Vmm.Machine;
using Kvm.Vmm.Monitor;

namespace Kvm.Vmm.Launch;

/// <summary>Everything kvm-vmm needs to run one VM, from a domain definition or from command-line options.</summary>
/// <param name="SerialLabel">The serial chardev's QMP label: libvirt's "charserial0" for a domain, QEMU's "serial0" by hand.</param>
internal sealed record LaunchPlan(MachineConfig Machine, LifecyclePolicy Lifecycle, string? Name, Guid Uuid, SerialEndpoint Serial, string SerialLabel = "serial0");
