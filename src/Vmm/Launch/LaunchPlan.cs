using Kvm.Vmm.Machine;
using Kvm.Vmm.Monitor;

namespace Kvm.Vmm.Launch;

/// <summary>Everything kvm-vmm needs to run one VM, from a domain definition or from command-line options.</summary>
internal sealed record LaunchPlan(MachineConfig Machine, LifecyclePolicy Lifecycle, string? Name, Guid Uuid, SerialEndpoint Serial);
