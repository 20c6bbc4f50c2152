using System.Runtime.InteropServices;

namespace Kvm.Vmm.Interop;

/// <summary>struct kvm_userspace_memory_region: one slot of guest physical memory backed by host memory.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmUserspaceMemoryRegion
{
    public const int Size = 32;

    public uint Slot;
    public uint Flags;
    public ulong GuestPhysAddr;
    public ulong MemorySize;
    public ulong UserspaceAddr;
}

/// <summary>struct kvm_pit_config: flags, then 15 words of padding.</summary>
[StructLayout(LayoutKind.Sequential, Size = Size)]
internal struct KvmPitConfig
{
    public const int Size = 64;

    /// <summary>KVM_PIT_SPEAKER_DUMMY: the PIT ignores the speaker port.</summary>
    public const uint SpeakerDummy = 1;

    public uint Flags;
}

/// <summary>struct kvm_reinject_control: pit_reinject (0 drops missed ticks), then 31 reserved bytes.</summary>
[StructLayout(LayoutKind.Sequential, Size = Size)]
internal struct KvmReinjectControl
{
    public const int Size = 32;

    public byte PitReinject;
}

/// <summary>struct kvm_regs: the general-purpose registers.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmRegs
{
    public const int Size = 144;

    public ulong Rax, Rbx, Rcx, Rdx, Rsi, Rdi, Rsp, Rbp;
    public ulong R8, R9, R10, R11, R12, R13, R14, R15;
    public ulong Rip, Rflags;
}

/// <summary>struct kvm_segment.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmSegment
{
    public const int Size = 24;

    public ulong Base;
    public uint Limit;
    public ushort Selector;
    public byte Type;
    public byte Present, Dpl, Db, S, L, G, Avl;
    public byte Unusable;
    public byte Padding;
}

/// <summary>struct kvm_dtable: a descriptor table register.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmDtable
{
    public const int Size = 16;

    public ulong Base;
    public ushort Limit;
    public ushort Padding0, Padding1, Padding2;
}

/// <summary>struct kvm_sregs: segment, control and descriptor-table registers.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmSregs
{
    public const int Size = 312;

    public KvmSegment Cs, Ds, Es, Fs, Gs, Ss;
    public KvmSegment Tr, Ldt;
    public KvmDtable Gdt, Idt;
    public ulong Cr0, Cr2, Cr3, Cr4, Cr8;
    public ulong Efer;
    public ulong ApicBase;
    public fixed ulong InterruptBitmap[4];
}

/// <summary>The header of struct kvm_cpuid2 (nent, padding); the entries follow it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmCpuid2
{
    public const int HeaderSize = 8;

    public uint Count;
    public uint Padding;
}

/// <summary>struct kvm_cpuid_entry2.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmCpuidEntry2
{
    public const int Size = 40;

    public uint Function;
    public uint Index;
    public uint Flags;
    public uint Eax, Ebx, Ecx, Edx;
    public fixed uint Padding[3];
}

/// <summary>struct kvm_lapic_state: the local APIC's 1 KiB register page.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmLapicState
{
    public const int Size = 1024;

    public fixed byte Registers[Size];
}

/// <summary>struct kvm_msr_entry: one MSR for KVM_SET_MSRS (after the 8-byte kvm_msrs header).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmMsrEntry
{
    public const int Size = 16;

    public uint Index;
    public uint Reserved;
    public ulong Data;
}

/// <summary>struct kvm_irq_level: an interrupt line and its level, for KVM_IRQ_LINE.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmIrqLevel
{
    public uint Irq;
    public uint Level;
}
