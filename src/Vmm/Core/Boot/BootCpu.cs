using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Interop;

namespace Kvm.Vmm.Boot;

/// <summary>The boot vCPU's state at the 64-bit entry: long mode with paging, flat segments, RSI at boot_params.</summary>
internal static class BootCpu
{
    private const ulong Cr0ProtectionEnable = 1;
    private const ulong Cr0ExtensionType = 1 << 4;
    private const ulong Cr0Paging = 1UL << 31;
    private const ulong Cr4Pae = 1 << 5;
    private const ulong EferLme = 1 << 8;
    private const ulong EferLma = 1 << 10;

    public static void Configure(Vcpu vcpu, ulong entryPoint)
    {
        var sregs = vcpu.GetSpecialRegisters();
        var code = Segment(LinuxLoader.CodeSelector, type: 0xb, longMode: true);
        var data = Segment(LinuxLoader.DataSelector, type: 0x3, longMode: false);
        sregs.Cs = code;
        sregs.Ds = sregs.Es = sregs.Fs = sregs.Gs = sregs.Ss = data;
        sregs.Tr = Segment(LinuxLoader.TssSelector, type: 0xb, longMode: false);
        sregs.Tr.S = 0;
        sregs.Tr.Db = 0;
        sregs.Gdt = new KvmDtable { Base = GuestLayout.GdtAddress, Limit = 5 * 8 - 1 };
        sregs.Idt = new KvmDtable { Base = GuestLayout.IdtAddress, Limit = 7 };
        sregs.Cr0 = Cr0ProtectionEnable | Cr0ExtensionType | Cr0Paging;
        sregs.Cr3 = GuestLayout.Pml4Address;
        sregs.Cr4 = Cr4Pae;
        sregs.Efer = EferLme | EferLma;
        vcpu.SetSpecialRegisters(sregs);

        vcpu.SetRegisters(new KvmRegs
        {
            Rip = entryPoint,
            Rsi = GuestLayout.BootParamsAddress,
            Rsp = GuestLayout.BootStackPointer,
            Rbp = GuestLayout.BootStackPointer,
            Rflags = 0x2,
        });
    }

    private static KvmSegment Segment(ushort selector, byte type, bool longMode) => new()
    {
        Base = 0,
        Limit = 0xffffffff,
        Selector = selector,
        Type = type,
        Present = 1,
        Dpl = 0,
        Db = longMode ? (byte)0 : (byte)1,
        S = 1,
        L = longMode ? (byte)1 : (byte)0,
        G = 1,
    };
}
