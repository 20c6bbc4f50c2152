using Kvm.Vmm.Machine;
using Kvm.Vmm.Monitor;

namespace Kvm.Vmm.Launch;

/// <summary><c>kvm-vmm --kernel FILE [--initrd FILE] [--append LINE] [-m MiB] [--smp N]</c>, as QEMU's direct boot options.</summary>
internal static class LaunchFromOptions
{
    public static LaunchPlan Plan(string kernel, string? initrd, string? append, ulong memoryMib, int vcpus, string? name, string serial)
    {
        if (memoryMib is 0 or > 1 << 20)
        {
            throw new LaunchException($"--memory {memoryMib}: give the guest memory in MiB, between 1 and 1048576");
        }

        var endpoint = serial switch
        {
            "stdio" => SerialEndpoint.Stdio(),
            "pty" => SerialEndpoint.Pty(),
            "null" or "none" => SerialEndpoint.Null(),
            _ when serial.StartsWith("file:", StringComparison.Ordinal) => SerialEndpoint.File(serial[5..]),
            _ when serial.StartsWith("unix:", StringComparison.Ordinal) => SerialEndpoint.UnixServer(serial[5..]),
            _ => throw new LaunchException($"--serial {serial}: expected stdio, pty, null, file:PATH or unix:PATH"),
        };
        var config = new MachineConfig
        {
            MemoryBytes = memoryMib << 20,
            Vcpus = vcpus,
            KernelPath = kernel,
            InitrdPath = initrd,
            CommandLine = append ?? string.Empty,
            SerialOutput = endpoint.Output,
        };
        return new LaunchPlan(config, LifecyclePolicy.Default, name, Guid.Empty, endpoint);
    }
}
