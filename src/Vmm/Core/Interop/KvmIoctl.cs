namespace Kvm.Vmm.Interop;

/// <summary>
/// KVM's ioctl request numbers (linux/kvm.h, KVMIO = 0xAE), encoded as the kernel's _IOC: direction in bits 30-31,
/// argument size in bits 16-29, type in bits 8-15, number in bits 0-7. The sizes come from the structs in this folder.
/// </summary>
internal static class KvmIoctl
{
    private const uint Kvmio = 0xAE;
    private const uint Write = 1;
    private const uint Read = 2;

    // System ioctls (on /dev/kvm).
    public static readonly nuint GetApiVersion = Io(0x00);
    public static readonly nuint CreateVm = Io(0x01);
    public static readonly nuint CheckExtension = Io(0x03);
    public static readonly nuint GetVcpuMmapSize = Io(0x04);
    public static readonly nuint GetSupportedCpuid = Ioc(Read | Write, 0x05, KvmCpuid2.HeaderSize);

    // VM ioctls.
    public static readonly nuint CreateVcpu = Io(0x41);
    public static readonly nuint SetUserMemoryRegion = Ioc(Write, 0x46, KvmUserspaceMemoryRegion.Size);
    public static readonly nuint SetTssAddr = Io(0x47);
    public static readonly nuint SetIdentityMapAddr = Ioc(Write, 0x48, sizeof(ulong));
    public static readonly nuint CreateIrqchip = Io(0x60);
    public static readonly nuint CreatePit2 = Ioc(Write, 0x77, KvmPitConfig.Size);
    public static readonly nuint ReinjectControl = Io(0x71); // _IO although it takes struct kvm_reinject_control
    public static readonly nuint IrqLine = Ioc(Write, 0x61, 8);
    public static readonly nuint SetGsiRouting = Ioc(Write, 0x6a, 8);
    public static readonly nuint Irqfd = Ioc(Write, 0x76, KvmIrqfd.Size);
    public static readonly nuint Ioeventfd = Ioc(Write, 0x79, KvmIoeventfd.Size);

    // vCPU ioctls.
    public static readonly nuint Run = Io(0x80);
    public static readonly nuint GetRegs = Ioc(Read, 0x81, KvmRegs.Size);
    public static readonly nuint SetRegs = Ioc(Write, 0x82, KvmRegs.Size);
    public static readonly nuint GetSregs = Ioc(Read, 0x83, KvmSregs.Size);
    public static readonly nuint SetSregs = Ioc(Write, 0x84, KvmSregs.Size);
    public static readonly nuint SetMsrs = Ioc(Write, 0x89, 8);
    public static readonly nuint SetSignalMask = Ioc(Write, 0x8b, 4);
    public static readonly nuint GetLapic = Ioc(Read, 0x8e, KvmLapicState.Size);
    public static readonly nuint SetLapic = Ioc(Write, 0x8f, KvmLapicState.Size);
    public static readonly nuint SetCpuid2 = Ioc(Write, 0x90, KvmCpuid2.HeaderSize);

    /// <summary>The API version every KVM since Linux 2.6.22 reports; anything else is refused.</summary>
    public const int ApiVersion = 12;

    private static nuint Io(uint number) => Ioc(0, number, 0);

    private static nuint Ioc(uint direction, uint number, int size) =>
        (nuint)((direction << 30) | ((uint)size << 16) | (Kvmio << 8) | number);
}
