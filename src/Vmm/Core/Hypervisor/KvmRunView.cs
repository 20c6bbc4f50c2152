using System.Runtime.InteropServices;
using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Hypervisor;

/// <summary>
/// A vCPU's kvm_run mapping seen as a span: the details of the last exit, each checked against the mapping's bounds,
/// so a data offset or count that points elsewhere (a KVM bug, or a corrupted page) is refused rather than followed.
/// Valid until the vCPU runs again; tests build one over plain memory.
/// </summary>
public readonly ref struct KvmRunView
{
    private readonly Span<byte> _mapping;

    /// <param name="mapping">The whole mapping (KVM_GET_VCPU_MMAP_SIZE bytes), at least struct kvm_run.</param>
    public KvmRunView(Span<byte> mapping)
    {
        if (mapping.Length < KvmRun.Size)
        {
            throw new ArgumentException($"a kvm_run mapping is at least {KvmRun.Size} bytes, not {mapping.Length}", nameof(mapping));
        }

        _mapping = mapping;
    }

    /// <summary>kvm_run.exit_reason, as KVM left it.</summary>
    public VcpuExit ExitReason => (VcpuExit)MemoryMarshal.Read<uint>(_mapping[KvmRun.ExitReasonOffset..]);

    /// <summary>kvm_run.system_event.type of a <see cref="VcpuExit.SystemEvent"/> exit: 1 shutdown, 2 reset, 3 crash.</summary>
    public uint SystemEventType => MemoryMarshal.Read<uint>(_mapping[KvmRun.ExitUnionOffset..]);

    /// <summary>
    /// The port access of a <see cref="VcpuExit.Io"/> exit; false when its width is not 1, 2 or 4 or its data
    /// (width × count bytes at data_offset) do not lie wholly inside the mapping.
    /// </summary>
    public bool TryGetIo(out PortAccess access)
    {
        var io = MemoryMarshal.Read<KvmRunIo>(_mapping[KvmRun.ExitUnionOffset..]);
        ulong length = (ulong)io.Width * io.Count;
        ulong size = (ulong)_mapping.Length;
        if (io.Width is not (1 or 2 or 4) || io.DataOffset > size || length > size - io.DataOffset)
        {
            access = default;
            return false;
        }

        access = new PortAccess(io.Port, io.Width, io.Direction == KvmRunIo.Out, _mapping.Slice((int)io.DataOffset, (int)length));
        return true;
    }

    /// <summary>The access of a <see cref="VcpuExit.Mmio"/> exit: its data are the struct's own 8 bytes, of which len are used.</summary>
    public MmioAccess Mmio
    {
        get
        {
            var mmio = MemoryMarshal.Read<KvmRunMmio>(_mapping[KvmRun.ExitUnionOffset..]);
            int length = (int)Math.Min(mmio.Length, KvmRunMmio.MaxLength);
            return new MmioAccess(mmio.PhysAddr, mmio.IsWrite != 0,
                _mapping.Slice(KvmRun.ExitUnionOffset + KvmRunMmio.DataOffset, length));
        }
    }
}
