using System.Buffers.Binary;

namespace Kvm.Vmm.Tests;

/// <summary>
/// A vCPU's kvm_run mapping in plain memory, filled at linux/kvm.h's x86-64 offsets, between guard bytes that let a
/// test see whether anything wrote outside it.
/// </summary>
internal sealed class FakeKvmRun
{
    /// <summary>KVM_GET_VCPU_MMAP_SIZE on x86: kvm_run, the PIO data page and the coalesced MMIO ring.</summary>
    public const int MappingSize = 3 * 4096;

    /// <summary>Where KVM puts port I/O data (KVM_PIO_PAGE_OFFSET pages into the mapping).</summary>
    public const int PioDataOffset = 4096;

    private const int Guard = 4096;
    private const byte GuardByte = 0xcc;

    private readonly byte[] _backing = new byte[Guard + MappingSize + Guard];

    public FakeKvmRun()
    {
        _backing.AsSpan(0, Guard).Fill(GuardByte);
        _backing.AsSpan(Guard + MappingSize).Fill(GuardByte);
    }

    public Span<byte> Mapping => _backing.AsSpan(Guard, MappingSize);

    /// <summary>True while nothing wrote before or after the mapping.</summary>
    public bool GuardsIntact =>
        !_backing.AsSpan(0, Guard).ContainsAnyExcept(GuardByte) && !_backing.AsSpan(Guard + MappingSize).ContainsAnyExcept(GuardByte);

    /// <summary>kvm_run.exit_reason (offset 8).</summary>
    public FakeKvmRun Exit(uint reason)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Mapping[8..], reason);
        return this;
    }

    /// <summary>kvm_run.io: direction (1 = out), size, port, count, data_offset at offsets 32, 33, 34, 36, 40.</summary>
    public FakeKvmRun Io(bool isWrite, byte width, ushort port, uint count, ulong dataOffset = PioDataOffset)
    {
        Exit(2);
        Mapping[32] = isWrite ? (byte)1 : (byte)0;
        Mapping[33] = width;
        BinaryPrimitives.WriteUInt16LittleEndian(Mapping[34..], port);
        BinaryPrimitives.WriteUInt32LittleEndian(Mapping[36..], count);
        BinaryPrimitives.WriteUInt64LittleEndian(Mapping[40..], dataOffset);
        return this;
    }

    /// <summary>kvm_run.mmio: phys_addr, data[8], len, is_write at offsets 32, 40, 48, 52.</summary>
    public FakeKvmRun Mmio(ulong address, bool isWrite, uint length, ReadOnlySpan<byte> data = default)
    {
        Exit(6);
        BinaryPrimitives.WriteUInt64LittleEndian(Mapping[32..], address);
        data.CopyTo(Mapping[40..48]);
        BinaryPrimitives.WriteUInt32LittleEndian(Mapping[48..], length);
        Mapping[52] = isWrite ? (byte)1 : (byte)0;
        return this;
    }

    /// <summary>kvm_run.system_event.type (offset 32).</summary>
    public FakeKvmRun SystemEvent(uint type)
    {
        Exit(24);
        BinaryPrimitives.WriteUInt32LittleEndian(Mapping[32..], type);
        return this;
    }
}
