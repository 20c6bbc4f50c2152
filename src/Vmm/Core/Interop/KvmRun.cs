using System.Runtime.InteropServices;

namespace Kvm.Vmm.Interop;

/// <summary>
/// The fixed part of struct kvm_run, the page KVM shares with each vCPU thread (its full mapping is
/// KVM_GET_VCPU_MMAP_SIZE bytes; the struct itself is 2352). The exit details are a union at offset 32;
/// <see cref="KvmRunIo"/> and <see cref="KvmRunMmio"/> read it.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct KvmRun
{
    public const int Size = 2352;
    public const int ExitReasonOffset = 8;
    public const int ExitUnionOffset = 32;

    [FieldOffset(0)] public byte RequestInterruptWindow;
    [FieldOffset(1)] public byte ImmediateExit;
    [FieldOffset(ExitReasonOffset)] public uint ExitReason;
    [FieldOffset(12)] public byte ReadyForInterruptInjection;
    [FieldOffset(13)] public byte IfFlag;
    [FieldOffset(14)] public ushort Flags;
    [FieldOffset(16)] public ulong Cr8;
    [FieldOffset(24)] public ulong ApicBase;
    [FieldOffset(ExitUnionOffset)] public KvmRunIo Io;
    [FieldOffset(ExitUnionOffset)] public KvmRunMmio Mmio;
    [FieldOffset(ExitUnionOffset)] public ulong HardwareExitReason;
}

/// <summary>kvm_run.io: a port access; the data sit at <see cref="DataOffset"/> from the start of kvm_run.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmRunIo
{
    public const byte In = 0;
    public const byte Out = 1;

    public byte Direction;
    public byte Width;
    public ushort Port;
    public uint Count;
    public ulong DataOffset;
}

/// <summary>kvm_run.mmio: a memory-mapped access outside guest RAM.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmRunMmio
{
    /// <summary>Where <see cref="Data"/> sits in the struct.</summary>
    public const int DataOffset = 8;
    public const int MaxLength = 8;

    public ulong PhysAddr;
    public fixed byte Data[8];
    public uint Length;
    public byte IsWrite;
}
