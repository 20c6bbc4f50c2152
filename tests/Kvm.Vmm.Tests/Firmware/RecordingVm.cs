using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Interop;
using Kvm.Vmm.Memory;

namespace Kvm.Vmm.Tests.Firmware;

/// <summary>
/// A stand-in for the hypervisor that only records which memory the guest can see, for the flash tests' logic (their
/// real path, KVM's read-only slots, runs in the firmware boot tests inside the nested-KVM guest).
/// </summary>
internal sealed class RecordingVm : IVm
{
    public HashSet<ulong> ReadOnlyMapped { get; } = [];

    public GsiRouter Routes => throw new NotSupportedException();

    public void MapMemory(GuestMemory memory) => throw new NotSupportedException();

    public void MapReadOnlyMemory(GuestMemory memory)
    {
        foreach (var region in memory.Regions)
        {
            ReadOnlyMapped.Add(region.GuestAddress);
        }
    }

    public void SetIrqLine(uint gsi, bool asserted) => throw new NotSupportedException();

    public void AttachIrqfd(EventFd eventFd, uint gsi) => throw new NotSupportedException();

    public void DetachIrqfd(EventFd eventFd, uint gsi) => throw new NotSupportedException();

    public bool TryAttachIoeventfd(EventFd eventFd, ulong address, uint length, bool pio, out string? error) => throw new NotSupportedException();

    public void DetachIoeventfd(EventFd eventFd, ulong address, uint length, bool pio) => throw new NotSupportedException();
}
