using Kvm.Vmm.Devices;

namespace Kvm.Vmm.Machine;

/// <summary>Where the isa-debug-exit device sits: QEMU's <c>iobase</c> and <c>iosize</c>, with QEMU's defaults.</summary>
public sealed record DebugExitConfig(ushort IoBase = IsaDebugExit.DefaultIoBase, ushort IoSize = IsaDebugExit.DefaultIoSize);
